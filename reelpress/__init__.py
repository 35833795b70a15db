"""reelpress: a static site generator for multimedia news articles."""

__version__ = "0.1.0"
