"""公开 Gongkai: a static site generator for public financial disclosure by government departments."""

__version__ = "0.1.0"
