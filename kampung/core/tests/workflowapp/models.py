"""A tiny life cycle used only by the workflow tests."""

from django.db import models


class Paper(models.Model):
    village = models.ForeignKey("regions.Region", on_delete=models.PROTECT)
    status = models.CharField(max_length=20, default="draf")
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta:
        app_label = "workflowapp"

    def __str__(self) -> str:
        return f"Paper {self.pk} ({self.status})"
