"""One module per wire protocol; each turns a request into a Response."""
