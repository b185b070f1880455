"""Football Italia (football-italia.net): English-language Serie A news, our non-Italian control source."""

from __future__ import annotations

from crawler.outlets.spec import OutletSpec

OUTLET = OutletSpec(
    key="football_italia",
    name="Football Italia",
    homepage="https://football-italia.net/",
    # Bare domain (www also seen in feeds); icdn.football-italia.net serves images, the regex rejects it.
    domains=("football-italia.net",),
    # Seen-in-code in several projects.
    feeds=("https://football-italia.net/feed/",),
    # WordPress (seen): robots.txt likely lists a sitemap.
    robots=True,
    # Matches e.g. https://football-italia.net/parma-agreement-gilardino-italy-return-coach/
    # Tightened from the facts: /feed/ and /page/ are not articles either.
    article_url=r"^https?://(?:www\.)?football-italia\.net/(?!(?:category|tag|match|author|feed|page)(?:[/?#]|$))[a-z0-9-]+/?(?:[?#].*)?$",
    language="en",
    notes=(
        "English-language: the negative class for Italian language filtering. "
        "CMS: WordPress (seen: wp-json/wp/v2/posts, icdn.football-italia.net/wp-content/uploads, E12). "
        "Paywall: free. Match live pages live under /match/{slug}/live and do not match. "
        "Category feeds /category/teams/{team}/feed/ (seen-in-code) are subsets, left out; the Drupal-era "
        "https://www.football-italia.net/rss.xml is legacy. A bare /{slug}/ also matches static pages."
    ),
    unverified=("feeds", "robots", "article_url"),
)
