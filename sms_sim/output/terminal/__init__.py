"""Where the output goes: the views on the standard output, a terminal or
not, and what they need of it (rows a terminal shows, a reader that
leaves, Ctrl-Z and ``fg``)."""
