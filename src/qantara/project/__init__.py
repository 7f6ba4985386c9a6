"""ML projects on a Qantara platform: their manifest, generation and checks."""
