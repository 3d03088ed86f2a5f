"""The artifacts stage."""
