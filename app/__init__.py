"""The Streamlit briefing app: `streamlit run app/streamlit_app.py` (README "The app")."""
