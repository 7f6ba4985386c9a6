"""`qantara scan`: every stack of a self-managed Pulumi backend, checked in one run."""
