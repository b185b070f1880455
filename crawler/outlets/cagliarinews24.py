"""CagliariNews24 (cagliarinews24.com): WordPress football news site of the CalcioNews24 network."""

from __future__ import annotations

from crawler.outlets.spec import OutletSpec

OUTLET = OutletSpec(
    key="cagliarinews24",
    name="CagliariNews24",
    homepage="https://www.cagliarinews24.com/",
    domains=("www.cagliarinews24.com",),
    # No feed in the facts (/feed/ is likely, as on the rest of the network): crawl the home page.
    listing_pages=("https://www.cagliarinews24.com/",),
    # WordPress + Yoast SEO: robots.txt likely lists /sitemap_index.xml.
    robots=True,
    # No article URL in the facts: WordPress permalink /{slug}/ (likely). Constructed example:
    # https://www.cagliarinews24.com/esempio-di-articolo/
    # Tightened from the facts: /feed/ and WordPress archive roots are not articles.
    article_url=r"^https?://www\.cagliarinews24\.com/(?!(?:feed|tag|category|author|page|search)(?:[/?#]|$))[a-z0-9-]+/?(?:[?#].*)?$",
    language="it",
    notes=(
        "CalcioNews24 network (facts id cn24). CMS: WordPress + Newspaper (tagDiv) theme + Yoast SEO "
        "(seen: repo Sportreview/Calcionews24). Paywall: free. JSON-LD and article:published_time from "
        "Yoast are likely. The URL shape is not seen: a bare /{slug}/ also matches static pages "
        "(contatti, privacy); prefer the feed's <link> and the post sitemap over link-following. "
        "This site is only named in the facts' network list: no feed or article URL of its own was seen."
    ),
    unverified=("listing_pages", "robots", "article_url"),
)
