"""Local stand-ins for the outside services propbot talks to, for tests."""
