"""(being written)"""


def register() -> None:
    """Hook this module into other apps at start-up."""
