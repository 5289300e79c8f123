#!/usr/bin/env python3
"""Thin command line over the gongkai package: python build.py check|build|serve|..."""

import sys

from gongkai.cli import main

if __name__ == "__main__":
    sys.exit(main())
