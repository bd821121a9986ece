"""Normalise the platforms' timestamps to ISO 8601 with a zone (``2024-02-06T09:00:00+00:00``).

Each function returns ``""`` when the value is absent and raises ``ValueError`` when it is present but
not a time, so that a reader can report the record instead of inventing a date.
"""

from __future__ import annotations

from datetime import datetime, timezone

TWITTER_FORMAT = "%a %b %d %H:%M:%S %z %Y"  # "Wed Nov 02 21:30:39 +0000 2022"
TIKTOK_FORMAT = "%Y-%m-%d %H:%M:%S"  # zone-less; TikTok's own tools read it as UTC
TIKTOK_UTC_SUFFIX = " UTC"
# A tweet id is a snowflake: milliseconds since this epoch, shifted left by 22 bits.
SNOWFLAKE_EPOCH_MS = 1288834974657
SNOWFLAKE_SHIFT = 22


def from_unix(value) -> str:
    """Meta's Unix seconds (number or digit string); ``0`` means "not set" in Meta exports."""
    if value is None or value == "" or value == 0:
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"not a Unix time: {value!r}")
    try:
        return datetime.fromtimestamp(float(value), tz=timezone.utc).isoformat()
    except (OverflowError, OSError) as error:
        raise ValueError(f"Unix time out of range: {value!r}") from error


def from_twitter(value) -> str:
    if not value:
        return ""
    return datetime.strptime(str(value).strip(), TWITTER_FORMAT).isoformat()


def from_tiktok(value) -> str:
    if not value:
        return ""
    text = str(value).strip().removesuffix(TIKTOK_UTC_SUFFIX)
    return datetime.strptime(text, TIKTOK_FORMAT).replace(tzinfo=timezone.utc).isoformat()


def from_snowflake(tweet_id) -> str:
    """When a tweet was written, read from its id (X exports no time for a like, only the tweet id)."""
    if not str(tweet_id or "").isdigit():
        return ""
    milliseconds = (int(tweet_id) >> SNOWFLAKE_SHIFT) + SNOWFLAKE_EPOCH_MS
    return from_unix(milliseconds // 1000)
