"""``python -m sklearn_gd``: the demo table."""

from ._demo import main

if __name__ == "__main__":
    main()
