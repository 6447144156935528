"""``python -m storysite``: the same as the ``storysite`` command."""

from storysite.cli import main

if __name__ == "__main__":
    main()
