"""Access matrix spec for the project-level routes (kampung/config/urls.py)."""

from kampung.core.tests.matrix import PUBLIC, Route

ROUTES: list[Route] = [
    # "/" sends the signed-in to their home and everyone else to the public site.
    Route("root", readers=PUBLIC, ok=(302,)),
    # The language switch is a POST that only sets a cookie and redirects.
    Route("set_language", readers=PUBLIC, ok=(302,), method="GET", note="GET redirects back"),
    # Village logos are the only public uploads (the proxy serves them in production).
    Route(
        "path:/media/logo/<path:path>",
        kwargs=lambda s: {"path": "tidak-ada.png"},
        readers=PUBLIC,
        ok=(404,),
        note="a missing logo is not found for everyone",
    ),
]
