"""Storage benchmark: ``python -m bench.storage`` (see its ``__main__``)."""
