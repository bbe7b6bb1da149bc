"""Build tooling of the repository (not part of the installed package): npm, the widget bundles."""
