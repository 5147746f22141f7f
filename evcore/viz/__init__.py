"""Pictures: folium maps and Plotly charts, as pure builders (tables and models in, figures out).

Every label that comes from data (station names, ids, addresses) is escaped here, so the pages
and the command line can show or save a figure as it is.
"""
