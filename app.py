"""The dashboard's entry point: it only routes. Each page is a script in pages/; a new page is one
``st.Page`` line below (its URL is the file name without the number, e.g. /Forecast): in PAGES
when a viewer may see it, in COMPUTING when it runs computations (an analyst's, as in the REST
service). With users in the workspace, nothing runs before someone signs in (ui_users)."""

import streamlit as st

from ui_users import may, sign_in_gate

st.set_page_config(page_title="EV charging planner", page_icon="⚡", layout="wide")
sign_in_gate()  # with users in the workspace, nothing below runs until someone signs in

PAGES = [
    st.Page("pages/0_Home.py", title="Home", icon=":material/home:", default=True),
    st.Page("pages/1_Forecast.py", title="Forecast", icon=":material/trending_up:"),
    st.Page("pages/4_Load.py", title="Load & capacity", icon=":material/ev_station:"),
]
COMPUTING = [  # clustering and placement (Growth places sites for its year)
    st.Page("pages/2_Clusters.py", title="Clusters", icon=":material/hub:"),
    st.Page("pages/3_Placement.py", title="Placement", icon=":material/add_location_alt:"),
    st.Page("pages/5_Growth.py", title="Growth", icon=":material/show_chart:"),
]
st.navigation(PAGES + (COMPUTING if may("analyst") else [])).run()
