"""Small inputs the growth tests share: a session export whose busiest hour sees 3 arrivals in 4
weeks of 7/6 plugged-in hours each (load 0.875 on 2 ports), and a two-area history and demand."""

SESSIONS = "Station Name,Port Number,Start Date,End Date,Energy (kWh),User ID\n" + "".join(
    f"A,{port},{start},{end},5,{i}\n" for i, (port, start, end) in enumerate([
        (1, "2024-03-04 08:00", "2024-03-04 10:00"), (2, "2024-03-04 08:30", "2024-03-04 09:30"),
        (1, "2024-03-11 08:15", "2024-03-11 08:45"), (2, "2024-03-29 10:00", "2024-03-29 11:00")]))
LOAD = 0.75 * 3.5 / 3

# "fast" doubles every year, "slow" adds one vehicle a year; today "slow" has more vehicles
HISTORY = "year,county,vehicles\n" + "".join(f"{y},fast,{10 * 2 ** i}\n{y},slow,{12 + i}\n"
                                             for i, y in enumerate(range(2018, 2023)))
DEMAND = "latitude,longitude,vehicles,county\n47.0,-122.0,10,fast\n47.0,-121.0,12,slow\n"
