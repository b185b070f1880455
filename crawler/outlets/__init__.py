"""Built-in outlets, one module per outlet; ``registry`` finds them and loads user TOML files."""
