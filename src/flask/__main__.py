"""Run the ``flask`` command line: ``python -m flask``."""

from .cli import main

if __name__ == "__main__":  # pragma: no branch
    main()
