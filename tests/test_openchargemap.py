"""The live Open Charge Map client against a local stand-in: the parameters it sends, retries on
429 and 5xx honouring Retry-After, time-outs, nonsense answers, and the key kept out of sight."""

import pytest

from conftest import shared_file
from evcore.config import Settings
from evcore.errors import InputError
from evcore.openchargemap import OpenChargeMapClient, check_query, retry_after_seconds
from ocm_stub import POIS_JSON, Answer, StubOpenChargeMap


def client(stub, sleeps=None, **kwargs):
    settings = Settings(ocm_url=stub.url, ocm_api_key=kwargs.pop("key", "secret-key-123"))
    return OpenChargeMapClient(settings, timeout=kwargs.pop("timeout", 5), backoff=0.01,
                               sleep=(sleeps.append if sleeps is not None else (lambda s: None)), **kwargs)


def test_fetch_sends_the_query_and_reads_stations_with_the_file_parser():
    with StubOpenChargeMap() as stub:
        reading = client(stub).fetch_stations(51.5, -0.12, distance_km=5, max_results=3)
    stations = reading.dataset.stations
    assert list(stations["station_id"]) == ["101", "102", "103"]
    assert stations.loc[0, "name"].startswith("<img")  # kept as data; escaping is the views' job
    assert stations.loc[0, "power_kw"] == 22
    query = stub.requests[0]["query"]
    assert stub.requests[0]["path"] == "/v3/poi/"
    assert query["latitude"] == "51.5" and query["longitude"] == "-0.12"
    assert query["distance"] == "5.0" and query["distanceunit"] == "KM" and query["maxresults"] == "3"
    assert query["key"] == "secret-key-123"


def test_recorded_london_answer_is_read_in_full():
    body = shared_file("openchargemap", "london_poi.json").read_bytes()
    with StubOpenChargeMap([Answer(body=body)]) as stub:
        reading = client(stub).fetch_stations(51.5074, -0.1278, distance_km=10, max_results=100)
    assert reading.kind == "stations" and len(reading.points) == 100
    assert reading.dataset.stations["latitude"].between(50, 53).all()


def test_429_then_200_waits_what_retry_after_asks():
    sleeps = []
    with StubOpenChargeMap([Answer(429, b"slow down", {"Retry-After": "2"}), Answer()]) as stub:
        reading = client(stub, sleeps).fetch_stations(51.5, -0.12)
    assert len(reading.dataset.stations) == 3
    assert sleeps == [2.0] and len(stub.requests) == 2


def test_500_is_retried_with_back_off_then_explained_in_one_sentence():
    sleeps = []
    with StubOpenChargeMap([Answer(500, b"oops")]) as stub:
        with pytest.raises(InputError) as err:
            client(stub, sleeps, retries=2).fetch_stations(51.5, -0.12)
    assert len(stub.requests) == 3 and sleeps == [0.01, 0.02]
    message = str(err.value)
    assert "cannot be reached" in message and "HTTP 500" in message and "\n" not in message
    assert "secret-key-123" not in message


def test_503_then_200_recovers():
    with StubOpenChargeMap([Answer(503, b""), Answer()]) as stub:
        assert len(client(stub).fetch_stations(51.5, -0.12).dataset.stations) == 3


def test_a_time_out_is_retried_and_then_explained():
    with StubOpenChargeMap([Answer(delay=1.0)]) as stub:
        with pytest.raises(InputError, match="time-out"):
            client(stub, timeout=0.2, retries=1).fetch_stations(51.5, -0.12)
    assert len(stub.requests) == 2


@pytest.mark.parametrize("body, expected", [
    (b"<html>maintenance</html>", "not JSON"),
    (b'{"error": "bad"}', "not a list of POIs"),
    (b'[1, 2, 3]', "not a list of POIs"),
    (POIS_JSON[: len(POIS_JSON) // 2], "not JSON"),
    (b"[]", "no stations within"),
])
def test_nonsense_answers_give_one_sentence(body, expected):
    with StubOpenChargeMap([Answer(body=body)]) as stub:
        with pytest.raises(InputError, match=expected) as err:
            client(stub).fetch_stations(51.5, -0.12)
    assert "\n" not in str(err.value) and "secret-key-123" not in str(err.value)


def test_a_refused_key_says_to_set_one_without_showing_it():
    with StubOpenChargeMap([Answer(403, b"forbidden")]) as stub:
        with pytest.raises(InputError, match="API key") as err:
            client(stub).fetch_stations(51.5, -0.12)
    assert "secret-key-123" not in str(err.value) and len(stub.requests) == 1


def test_nothing_listening_is_one_sentence():
    settings = Settings(ocm_url="http://127.0.0.1:9/v3")
    with pytest.raises(InputError, match="cannot be reached"):
        OpenChargeMapClient(settings, retries=1, backoff=0, timeout=1).fetch_stations(51.5, -0.12)


def test_without_a_key_no_key_parameter_is_sent_and_the_client_hides_the_key():
    with StubOpenChargeMap() as stub:
        client(stub, key=None).fetch_stations(51.5, -0.12)
        assert "key" not in stub.requests[0]["query"]
        assert "secret" not in repr(client(stub))


@pytest.mark.parametrize("args", [(91, 0, 10, 10), (0, 181, 10, 10), (0, 0, 0, 10), (0, 0, float("inf"), 10),
                                  (0, 0, 10, 0), (0, 0, 10, 10**6), ("x", 0, 10, 10), (float("nan"), 0, 10, 10)])
def test_query_out_of_range_is_refused_before_any_request(args):
    with pytest.raises(InputError):
        check_query(*args)


def test_retry_after_as_seconds_or_http_date():
    assert retry_after_seconds("3") == 3.0
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past: no wait


def test_a_retry_after_longer_than_we_wait_is_said_at_once():
    with StubOpenChargeMap([Answer(429, b"", {"Retry-After": "3600"})]) as stub:
        with pytest.raises(InputError, match="wait 3600 s"):
            client(stub).fetch_stations(51.5, -0.12)
    assert len(stub.requests) == 1


@pytest.mark.parametrize("url", ["api.openchargemap.io/v3", "https://api.openchargemap.io/v3 extra", "ftp://x/v3"])
def test_an_ocm_address_that_is_not_http_is_refused_in_the_settings(url):
    with pytest.raises(InputError, match="EVCORE_OCM_URL"):
        Settings(ocm_url=url)
    with pytest.raises(InputError, match="EVCORE_OCM_URL"):
        Settings.from_env({"EVCORE_OCM_URL": url})


@pytest.mark.parametrize("base_url", ["api.openchargemap.io/v3", "http://bad host/v3"])
def test_a_malformed_address_never_shows_the_key(base_url):
    client = OpenChargeMapClient(api_key="SECRETKEY", base_url=base_url, retries=0)
    with pytest.raises(InputError) as caught:
        client.fetch_stations(51.5, -0.12, 5, 10)
    assert "SECRETKEY" not in str(caught.value) and "\n" not in str(caught.value)


# --- a hostile upstream (issue 18): one deadline, no redirect elsewhere, bounded answers ----------

def timed_fetch(stub, deadline=1.5, **kwargs):
    """The client's answer (or error) and the seconds the call took, with a short deadline."""
    import time

    began = time.monotonic()
    try:
        result = client(stub, deadline=deadline, **kwargs).fetch_stations(51.5, -0.12, max_results=10)
    except InputError as exc:
        result = exc
    return result, time.monotonic() - began


@pytest.mark.parametrize("answer", [
    Answer(drip=0.3),  # a byte every 0.3 s: each wait is short, the whole answer takes minutes
    Answer(delay=60),  # silent: connects, then says nothing
], ids=["drip-feed", "silent"])
def test_a_dripping_or_silent_server_is_cut_off_at_the_deadline(answer):
    with StubOpenChargeMap([answer]) as stub:
        result, seconds = timed_fetch(stub, deadline=1.5, timeout=1.0)
    assert isinstance(result, InputError) and "within the 1.5 s" in str(result), result
    assert 1.4 < seconds < 2.5


def test_retries_and_back_off_stay_inside_the_deadline():
    with StubOpenChargeMap([Answer(503, b"", delay=0.4)]) as stub:
        began = __import__("time").monotonic()
        with pytest.raises(InputError, match="cannot be reached"):
            OpenChargeMapClient(Settings(ocm_url=stub.url), retries=10, backoff=0.5, deadline=1.5).fetch_stations(1, 2)
        assert __import__("time").monotonic() - began < 2.2
    assert 2 <= len(stub.requests) <= 4


def test_retry_after_is_honoured_only_within_the_deadline():
    sleeps = []
    with StubOpenChargeMap([Answer(429, b"", {"Retry-After": "5"})]) as stub:
        result, seconds = timed_fetch(stub, deadline=3, sleeps=sleeps)
    assert isinstance(result, InputError) and "wait 5 s" in str(result)
    assert sleeps == [] and len(stub.requests) == 1 and seconds < 1


def test_a_redirect_to_another_host_is_not_followed_and_the_key_never_goes_there():
    with StubOpenChargeMap() as elsewhere:
        target = elsewhere.url.replace("127.0.0.1", "localhost") + "/poi/?key=secret-key-123"
        with StubOpenChargeMap([Answer(302, b"", {"Location": target})]) as stub:
            result, _ = timed_fetch(stub)
    assert isinstance(result, InputError) and "redirected" in str(result)
    assert "secret-key-123" not in str(result)
    assert elsewhere.requests == []  # nothing reached the other host


def test_a_redirect_on_the_same_host_is_followed():
    with StubOpenChargeMap() as stub:
        stub.answers = [Answer(301, b"", {"Location": stub.url + "/poi/?moved=1"}), Answer()]
        result, _ = timed_fetch(stub)
    assert len(result.dataset.stations) == 3 and stub.requests[1]["query"] == {"moved": "1"}


def test_at_most_max_results_stations_are_kept():
    import json

    many = json.dumps([{"ID": i, "AddressInfo": {"Title": f"S{i}", "Latitude": 51 + i / 1e4, "Longitude": 0.1}}
                       for i in range(200)]).encode()
    with StubOpenChargeMap([Answer(body=many)]) as stub:
        reading = client(stub).fetch_stations(51.5, -0.12, max_results=50)
    assert len(reading.dataset.stations) == 50
    assert any("200 stations" in note for note in reading.dataset.notes)


@pytest.mark.parametrize("declared", [True, False], ids=["declared", "undeclared"])
def test_an_oversized_answer_is_refused_without_reading_it_all(declared):
    body = b"[" + b" " * (3 * 2**20) + b"]"  # 3 MB for 10 stations (the limit is 1 MB + 16 KB each)
    headers = {} if declared else {"Content-Length": str(2**40)}  # a lie: more than is sent
    with StubOpenChargeMap([Answer(body=body, headers=headers)]) as stub:
        result, seconds = timed_fetch(stub, deadline=10)
    assert isinstance(result, InputError) and "more than 1.2 MB" in str(result), result
