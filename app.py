"""Streamlit explorer entry point (``streamlit run app.py``). The views arrive with the
explorer issue; until then this page says how to use the command line."""

if __name__ == "__main__":  # pragma: no cover
    print("The explorer is not built yet: use `nhigraph --help`.")
