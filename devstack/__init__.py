"""Everything that runs the whole stack on one machine; never imported by chalicelib."""
