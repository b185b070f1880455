"""Subcommands of ``sportnews`` that live in their own module, each with an ``add_parser(sub)``."""
