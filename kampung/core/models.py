from django.db import models


class BaseModel(models.Model):
    """Every table records when a row was made and last changed."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class GeoPhoto(BaseModel):
    """The facts kept of an uploaded photo (``kampung.core.images``): its checked content
    type, size and digest, and when and where it was taken (EXIF, else the browser)."""

    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField("ukuran (bita)", default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    taken_at = models.DateTimeField("waktu pengambilan", null=True, blank=True)
    latitude = models.DecimalField("lintang", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("bujur", max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        abstract = True
