"""`python -m veripath`: the same as the `veripath` command."""

from veripath.entry import main

if __name__ == "__main__":
    main()
