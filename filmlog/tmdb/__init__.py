"""Film facts from The Movie Database (TMDB API v3).

The journal stays the only truth: facts are copied into reviews, and what the
person typed always wins. The package is split so that only a lookup pays
for the HTTP client: :mod:`.settings` (credential and options),
:mod:`.film` (pure: TMDB's answers turned into facts, matching, filling a
review), :mod:`.enrich` (which films many reviews need, and finding each),
:mod:`.cache` (answers kept on disk) and :mod:`.client` (httpx).
"""

from __future__ import annotations

from filmlog.errors import FilmlogError, NotFound


class TMDBError(FilmlogError):
    """TMDB could not be asked or did not answer usably; nothing was changed."""


class NotOnTMDB(NotFound):
    """TMDB has no film for an ID or a title."""


class Ambiguous(FilmlogError):
    """Several films on TMDB could be the one meant, and nobody chose."""
