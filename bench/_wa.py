"""Load the Washington EV population as demand points (bench/tests only, until evcore.io lands)."""
import pandas as pd

def wa_demand(path) -> pd.DataFrame:
    raw = pd.read_csv(path, usecols=["Vehicle Location"])
    xy = raw["Vehicle Location"].str.extract(r"POINT \(([-\d.]+) ([-\d.]+)\)").dropna().astype(float)
    xy.columns = ["longitude", "latitude"]
    return xy.groupby(["latitude", "longitude"]).size().rename("weight").reset_index()
