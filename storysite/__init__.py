"""storysite: a static-site generator for brand storytelling microsites."""

__version__ = "0.1.0"
