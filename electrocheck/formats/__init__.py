"""Reading and writing files: delimited text in, outputs written whole or not at all."""
