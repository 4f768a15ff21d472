"""Errors a user can cause. Their message is Indonesian and says what to do."""


class KampungError(Exception):
    """A rule refused the request; nothing was changed."""

    code = "ditolak"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class NotPermitted(KampungError):
    code = "tidak_berwenang"


class InvalidTransition(KampungError):
    code = "transisi_tidak_sah"
