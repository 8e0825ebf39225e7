"""Write a deterministic journal of N realistic film reviews for the benchmark.

Standard library only, and it never imports filmlog: the file is written
directly in filmlog's stored format (a TinyDB JSON document with a
``_filmlog`` meta table and a ``reviews`` table), so the generator works
against any filmlog installation and cannot mask a bug in filmlog's own
writer. ``tests/test_bench_generate.py`` checks that filmlog reads what this
writes.

Every field of every review is filled. Bodies are 150 to 900 words of
Markdown paragraphs; the average review is about 3.5 KB, so 10,000 reviews
make a journal of about 34 MB. The same seed and size always give the same
bytes.

    python bench/generate.py 10000 bench/out/journal.json --seed 1

``--shape letterboxd`` writes instead the folder of a Letterboxd account
export (``write_letterboxd``) of N diary entries, for a journal built the way
most people build theirs: by ``filmlog import``. Its reviews are Letterboxd's:
a third have text, 20 to 400 words, and the rest only a rating.

    python bench/generate.py 10000 bench/out/letterboxd --shape letterboxd
"""

# ruff: noqa: E501 - the prose templates below read best one sentence per line

from __future__ import annotations

import argparse
import json
import random
import sys
import uuid
import zlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any

# Bump when the output for a given seed changes, so cached journals are regenerated.
GENERATOR_VERSION = 3
DEFAULT_SEED = 1

FIRST_WATCH = date(2010, 1, 1)
LAST_WATCH = date(2024, 12, 31)
MIN_WORDS = 150
MAX_WORDS = 900

GENRES = [
    "Drama", "Comedy", "Thriller", "Romance", "Horror", "Sci-Fi", "Action", "Crime",
    "Mystery", "Adventure", "Animation", "Documentary", "Fantasy", "War", "Western",
    "Musical", "Family", "History", "Music", "Biography",
]  # fmt: skip
GENRE_WEIGHTS = [30, 18, 14, 11, 9, 9, 9, 8, 6, 6, 5, 4, 4, 3, 2, 2, 2, 3, 2, 3]
MPAA = ["G", "PG", "PG-13", "R", "NC-17", "NR"]
MPAA_WEIGHTS = [3, 12, 30, 38, 1, 16]
# Half-star ratings 1..10: diarists rate generously and rarely give one star.
RATING_WEIGHTS = [1, 2, 3, 5, 8, 12, 17, 16, 9, 5]
VERDICTS = {
    1: ["Awful", "Unwatchable"],
    2: ["Bad", "Awful"],
    3: ["Weak", "Bad"],
    4: ["Disappointing", "Weak"],
    5: ["Mixed", "Uneven"],
    6: ["Fine", "Decent", "Mixed"],
    7: ["Good", "Solid"],
    8: ["Very good", "Great"],
    9: ["Great", "Superb"],
    10: ["Masterpiece", "Essential"],
}
TAGS = [
    "theater", "streaming", "criterion", "with friends", "date night", "festival", "35mm",
    "70mm", "IMAX", "rewatch-worthy", "slow cinema", "favorite director", "1001 movies",
    "horror month", "awards catch-up", "on a plane", "alone", "projector", "double feature",
    "noir season", "repertory", "blu-ray", "library dvd", "sick day", "family visit",
    "watchlist", "recommended by Sam", "Cannes", "silent era", "midnight movie",
]  # fmt: skip
ZONES = [
    "America/Denver", "America/New_York", "America/Los_Angeles", "Europe/London",
    "Europe/Paris", "Asia/Tokyo", "America/Chicago",
]  # fmt: skip
ZONE_WEIGHTS = [80, 6, 5, 3, 3, 1, 2]
REVIEWERS = ["Dana Whitfield", "Dana Whitfield", "Dana Whitfield", "Sam Okafor", "Léa Moreau"]
REVIEWER_WEIGHTS = [60, 20, 10, 6, 4]

FIRST_NAMES = [
    "Anna", "Ben", "Carla", "David", "Elena", "Farid", "Greta", "Hugo", "Ines", "Jonas",
    "Kate", "Luis", "Maya", "Nikolai", "Olivia", "Pedro", "Queenie", "Rafael", "Sofia",
    "Tomas", "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zoe", "Agnès", "Bruno", "Céline",
    "Dmitri", "Émile", "Frances", "Gael", "Hana", "Isabelle", "Joaquín", "Kenji", "Lucía",
    "Marcel", "Noor", "Oscar", "Paula", "Renée", "Søren", "Tilda", "Ulla", "Vincent",
    "Walter", "Yara", "Ada", "Bill", "Claire", "Denis", "Eva", "Frank", "Gena", "Harry",
    "Irène", "James", "Karin", "Liv", "Max", "Nina", "Omar", "Penélope", "Rosa", "Stellan",
]  # fmt: skip
LAST_NAMES = [
    "Alvarez", "Bergman", "Castellano", "Dubois", "Eriksen", "Fontaine", "García", "Hartley",
    "Ishikawa", "Jovanović", "Kowalski", "Lindqvist", "Marchetti", "Nakamura", "Okonkwo",
    "Petrov", "Quinlan", "Rossi", "Sørensen", "Takahashi", "Ueda", "Varga", "Whitaker",
    "Xu", "Yilmaz", "Zhang", "Almodóvar", "Brennan", "Chastain", "Delacroix", "Ekström",
    "Fischer", "Gallagher", "Haddad", "Iñárritu", "Jensen", "Kaurismäki", "Laurent",
    "Moreno", "Novak", "O'Hara", "Park", "Quintero", "Reyes", "Schmidt", "Tanaka",
    "Underwood", "Vega", "Wolff", "Mendes", "Kiarostami", "Szabó", "Lund", "Byrne",
]  # fmt: skip
ROLE_NAMES = [
    "Theodore", "Samantha", "Detective Hale", "The Stranger", "Margot", "Captain Reyes",
    "Elsa", "Mr. Barrow", "the widow", "Young Tom", "Agent Lowe", "Rosalind", "Father Dunn",
    "Mia", "the narrator", "Dr. Kessler", "Lola", "Walt", "Nadia", "the drifter", "Claudette",
    "Sergeant Moss", "Ilse", "Jack", "Beatrix", "Old Man Kaye", "Vera", "the pianist",
    "Nurse Ratched", "Henri", "Joanna", "Sheriff Bell", "Aurore", "Kit", "Marisol",
]  # fmt: skip

ADJECTIVES = [
    "Silent", "Last", "Long", "Burning", "Hidden", "Golden", "Broken", "Distant", "Blue",
    "Crimson", "Quiet", "Endless", "Lost", "Northern", "Wild", "Paper", "Glass", "Midnight",
    "Velvet", "Hollow", "Second", "Little", "Bright", "Cold", "Secret", "Sleeping",
]  # fmt: skip
NOUNS = [
    "Harbor", "Summer", "River", "House", "Garden", "Mirror", "Station", "Orchard", "Island",
    "Letter", "Horizon", "Kingdom", "Road", "Circus", "Lighthouse", "Valley", "Tide",
    "Archive", "Frontier", "Hotel", "Winter", "Machine", "Forest", "Signal", "Ballroom",
    "Country", "Alibi", "Departure", "Season", "Party",
]  # fmt: skip
PLACES = [
    "Lisbon", "Marseille", "the Valley", "Kyoto", "Galveston", "Montana", "the North",
    "Berlin", "Havana", "Oslo", "Tangier", "Naples", "Saint-Malo", "the Dunes", "Reykjavík",
]  # fmt: skip

# The body is built from sentences about the film; {t} title, {d} director,
# {a}/{r} an actor and their role, {m} a motif, {j} an adjective, {y} the year.
SENTENCES = [
    "{d} films {m} the way other directors film faces, patiently and without apology.",
    "What stays with me is {a} as {r}, a performance built almost entirely out of pauses.",
    "The first act is {j}, and for a while I wondered whether the film knew where it was going.",
    "By the time the {m} returns in the final reel, it has gathered a weight I did not expect.",
    "There is a shot of {m} held for so long that the audience around me began to shift in their seats.",
    "I had seen {t} once before, years ago, and remembered almost none of it except the music.",
    "{a} has never been better, and I say that as someone who has followed every turn of that career.",
    "The screenplay is {j} in places, but the craft around it is so assured that I mostly forgave it.",
    "It is a film about {m}, yes, but it is really about the people who keep returning to it.",
    "Every time the score swells, {d} undercuts it with a cut to something ordinary: a kettle, a door, a dog.",
    "Critics in {y} called it {j}; watching it now, that word feels both right and strangely incomplete.",
    "The middle section drags, and no amount of {j} photography can hide it.",
    "I laughed more than I expected, mostly at the small business around the edges of each scene.",
    "Nobody shoots {m} quite like this anymore, on film, in available light, with real weather.",
    "The dialogue is sparse and oddly formal, which suits {r} and sits awkwardly on everyone else.",
    "Somewhere in the second hour the film stops explaining itself, and it is better for it.",
    "It reminded me of the {j} melodramas I grew up on, and of why I stopped watching them.",
    "The editing is restless, cutting away from {a} just as a scene threatens to mean something.",
    "I keep thinking about the way {r} looks at the {m} before the final scene, half grief, half relief.",
    "This is {d}'s most personal film, and also, I suspect, the one they will be least thanked for.",
    "The supporting cast is uneven, but {a} steals every scene they are allowed into.",
    "On a second viewing the twist matters less and the texture matters more.",
    "There is a long dinner scene near the middle that plays like a short story of its own.",
    "The production design is {j} without ever being showy: lived-in rooms, worn carpets, bad lamps.",
    "Its politics are muddled, but its sympathy for {r} never wavers.",
    "I watched it on a rainy night, which is the only correct way to watch it.",
    "The sound mix buries half the dialogue, and I am still not sure that was a mistake.",
    "A lesser film would have ended ten minutes earlier, on the {m}; this one keeps going, and earns it.",
    "{t} is not subtle, and it does not want to be.",
    "The ending divided the audience I saw it with: some applauded, some laughed, one person walked out.",
    "I admire it more than I love it, which is a strange thing to say about a film this warm.",
    "Every frame is composed like a painting, and occasionally that is the problem.",
    "The pacing is glacial by modern standards, and I found it hypnotic rather than slow.",
    "{a} and the rest of the cast play it completely straight, which makes the absurd moments land harder.",
    "It wears its influences openly, from the {j} title cards to the final freeze frame.",
    "For a film so concerned with {m}, it is remarkably uninterested in symbolism.",
    "I could have done without the voice-over, which tells us what the images already said.",
    "The cinematography turns {m} into something close to a character.",
    "What looks at first like a genre exercise slowly becomes a portrait of a marriage.",
    "The final shot is {j}, and I have not stopped thinking about it since.",
    "It is about twenty minutes too long, and I would not cut a single one of them.",
    "Even the villain gets a moment of grace, which tells you everything about {d}'s generosity.",
    "I found the child actors unbearable, but the film around them is {j} enough to survive it.",
    "The score — all cello and silence — does half the emotional work.",
    "This is the rare remake that understands what made the original matter.",
    "Seen on a big screen, the landscapes are overwhelming; on a laptop, I suspect they would be wallpaper.",
    "The humour is dry enough that half the room missed it, and the other half could not stop laughing.",
    "Its best scene has no dialogue at all, just {a}, a window and the {m}.",
    "It gets the details of work right: the tedium, the camaraderie, the small humiliations.",
    "I left the cinema in a {j} mood and walked home the long way.",
]  # fmt: skip
MOTIFS = [
    "the lighthouse", "rain", "the harbor", "trains", "mirrors", "the orchard", "snow", "letters",
    "the sea", "dancing", "the radio", "fireworks", "the garden", "photographs", "the desert",
    "horses", "the piano", "night buses", "the hotel corridor", "wildfire", "the bridge",
    "an old car", "the wedding", "the kitchen", "the forest", "a lost dog", "the carnival",
    "the border", "a telephone", "the staircase", "fog", "the swimming pool", "cigarettes",
    "the ferry", "a birthday cake", "the attic", "the mountain road", "a red coat",
]  # fmt: skip
PROSE_ADJECTIVES = [
    "languid", "brittle", "luminous", "overwrought", "tender", "clumsy", "ravishing",
    "austere", "playful", "bruising", "mannered", "sly", "earnest", "baroque", "hushed",
    "gorgeous", "thin", "ferocious", "wistful", "chilly", "messy", "precise", "dreamlike",
]  # fmt: skip
HEADLINES = [
    "{j} and {j2}: {d} returns to {m}",
    "A {j} film about {m}",
    "{a} carries a {j} {g_lower}",
    "The {m} is the star",
    "Better the second time",
    "{d}'s {j} portrait of {m}",
    "Too long, too {j}, and I loved it",
    "A {g_lower} that forgets to be one",
    "Still {j} after all these years",
    "{t}, or how to film {m}",
    "Where {d} finally lets go",
    "{j} but never dull",
]  # fmt: skip
QUOTES = [
    "You can't go back. Nobody goes back.",
    "I only wanted to see the sea once.",
    "Every house remembers who left it.",
    "We're not lost. We're early.",
    "Tell me what you saw, not what you think you saw.",
    "It was never about the money.",
]  # fmt: skip


@dataclass(slots=True)
class Film:
    title: str
    year: int
    release_date: date
    directors: list[str]
    cast: list[dict[str, str]]
    genres: list[str]
    mpaa: str
    runtime: int
    motifs: list[str]
    quality: int  # the film's "true" half-star rating, so rewatches rate alike


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _title(rng: random.Random) -> str:
    adj, noun, place = rng.choice(ADJECTIVES), rng.choice(NOUNS), rng.choice(PLACES)
    shape = rng.randrange(10)
    if shape == 0:
        return f"The {adj} {noun}"
    if shape == 1:
        return f"{noun} of {place}"
    if shape == 2:
        return f"A {noun} in {place}"
    if shape == 3:
        return f"{adj} {noun}"
    if shape == 4:
        return f"The {noun} {rng.choice(['Affair', 'Years', 'Sessions', 'Diaries', 'Boys'])}"
    if shape == 5:
        return f"{rng.choice(FIRST_NAMES)} and the {noun}"
    if shape == 6:
        return f"Before the {noun}"
    if shape == 7:
        return f"{place}, {rng.randint(1950, 2020)}"
    if shape == 8:
        return f"The {adj} {noun} {rng.choice(['II', 'Returns', 'Part Two'])}"
    return f"{rng.choice(['Night', 'Summer', 'Winter', 'Last'])} {noun}"


def _film(rng: random.Random, latest_year: int) -> Film:
    # Mostly recent films, with a long tail back to the silent era.
    age = min(int(rng.expovariate(1 / 12)), latest_year - 1920)
    year = latest_year - age
    release = date(year, 1, 1) + timedelta(days=rng.randrange(365))
    directors = [_name(rng) for _ in range(1 if rng.random() < 0.85 else 2)]
    cast = [{"actor": _name(rng), "role": rng.choice(ROLE_NAMES)} for _ in range(rng.randint(3, 6))]
    genres: list[str] = []
    for _ in range(rng.randint(1, 3)):
        genre = rng.choices(GENRES, GENRE_WEIGHTS)[0]
        if genre not in genres:
            genres.append(genre)
    runtime = max(62, min(229, int(rng.gauss(112, 22))))
    return Film(
        title=_title(rng),
        year=year,
        release_date=release,
        directors=directors,
        cast=cast,
        genres=genres,
        mpaa=rng.choices(MPAA, MPAA_WEIGHTS)[0],
        runtime=runtime,
        motifs=rng.sample(MOTIFS, 3),
        quality=rng.choices(range(1, 11), RATING_WEIGHTS)[0],
    )


def _fill(template: str, rng: random.Random, film: Film) -> str:
    member = rng.choice(film.cast)
    j1, j2 = rng.sample(PROSE_ADJECTIVES, 2)
    motif = rng.choice(film.motifs)
    if motif.startswith(("the ", "a ", "an ")):  # "the {m}" must not read "the the harbor"
        template = template.replace("the {m}", "{m}").replace("The {m}", "{m_capital}")
    return template.format(
        t=film.title,
        d=film.directors[0].split()[-1],
        a=member["actor"],
        r=member["role"],
        m=motif,
        m_capital=motif[:1].upper() + motif[1:],
        j=j1,
        j2=j2,
        y=film.year,
        g_lower=film.genres[0].lower(),
    )


def _emphasise(sentence: str, rng: random.Random) -> str:
    words = sentence.split(" ")
    if len(words) > 6 and rng.random() < 0.12:
        i = rng.randrange(1, len(words) - 1)
        if words[i].isalpha() and len(words[i]) > 3:
            words[i] = f"*{words[i]}*" if rng.random() < 0.7 else f"**{words[i]}**"
    return " ".join(words)


def _body(rng: random.Random, film: Film) -> str:
    # Skewed towards shorter entries: most are a few paragraphs, some are essays.
    target = int(MIN_WORDS + (MAX_WORDS - MIN_WORDS) * rng.betavariate(1.4, 2.7))
    paragraphs: list[str] = []
    words = 0
    deck: list[str] = []  # dealt without replacement, so a sentence rarely repeats in one body
    while words < target:
        sentences: list[str] = []
        for _ in range(rng.randint(3, 7)):
            if not deck:
                deck = rng.sample(SENTENCES, len(SENTENCES))
            sentence = _emphasise(_fill(deck.pop(), rng, film), rng)
            count = len(sentence.split())
            if words + count > MAX_WORDS:
                break
            sentences.append(sentence)
            words += count
            if words >= target:
                break
        if not sentences:
            break
        paragraphs.append(" ".join(sentences))
        if rng.random() < 0.06 and words + 12 <= MAX_WORDS:
            quote = rng.choice(QUOTES)
            paragraphs.append(f"> {quote}")
            words += len(quote.split()) + 1
    if len(paragraphs) > 3 and rng.random() < 0.1:
        items = [f"- {_fill(rng.choice(['{a} as {r}', 'the {m}', 'the {j} score']), rng, film)}"]
        items.append(f"- {_fill('the {j} ending', rng, film)}")
        paragraphs.insert(-1, "What I will remember:\n\n" + "\n".join(items))
    return "\n\n".join(paragraphs)


def _zone(name: str) -> tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except Exception:  # no time-zone database: fixed offsets keep the file valid
        offsets = {"America/Denver": -7, "America/New_York": -5, "America/Los_Angeles": -8}
        offsets |= {"Europe/London": 0, "Europe/Paris": 1, "Asia/Tokyo": 9}
        offsets |= {"America/Chicago": -6}
        return timezone(timedelta(hours=offsets[name]))


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _stamp(moment: datetime) -> str:
    return moment.isoformat()


def reviews(count: int, seed: int = DEFAULT_SEED) -> list[dict[str, Any]]:
    """``count`` stored reviews (the value form of ``Review.to_dict()``), in diary order."""
    rng = random.Random(seed)
    zones = {name: _zone(name) for name in ZONES}
    span = (LAST_WATCH - FIRST_WATCH).days
    seen: list[Film] = []
    out: list[dict[str, Any]] = []
    for index in range(count):
        # Diary order: watched dates rise with the ID, with a little backfilling.
        position = (index + rng.random()) / max(count, 1)
        watched = FIRST_WATCH + timedelta(days=int(position * span))
        if rng.random() < 0.05:
            watched -= timedelta(days=rng.randint(1, 60))
        watched = max(watched, FIRST_WATCH)
        rewatch = bool(seen) and rng.random() < 0.18
        if rewatch:
            # Favourites come back more often, some of them many times.
            favourites = [f for f in seen[-400:] if f.quality >= 8] or seen
            film = rng.choice(favourites if rng.random() < 0.7 else seen)
        else:
            film = _film(rng, watched.year)
            seen.append(film)
        rating = max(1, min(10, film.quality + rng.choice([-1, 0, 0, 0, 1])))
        zone_name = rng.choices(ZONES, ZONE_WEIGHTS)[0]
        logged_day = watched + timedelta(days=rng.choice([0, 0, 0, 1, 1, 2, 3]))
        logged = datetime(
            logged_day.year,
            logged_day.month,
            logged_day.day,
            rng.choice([19, 20, 21, 22, 23, 0, 1, 10, 13]),
            rng.randrange(60),
            rng.randrange(60),
            tzinfo=zones[zone_name],
        )
        updated = logged
        if rng.random() < 0.2:
            updated = logged + timedelta(days=rng.randint(0, 400), minutes=rng.randint(1, 600))
        liked_chance = 0.9 if rating >= 7 else 0.3 if rating >= 5 else 0.05
        tags: list[str] = []
        for _ in range(rng.randint(1, 4)):
            tag = rng.choice(TAGS)
            if tag not in tags:
                tags.append(tag)
        # The film's IDs come from its title, not the generator, so they add no draws.
        film_number = zlib.crc32(f"{film.title} {film.year}".encode()) % 9_000_000 + 1_000_000
        out.append(
            {
                "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "tmdb_id": film_number,
                "imdb_id": f"tt{film_number:07d}",
                "title": film.title,
                "original_title": film.title,
                "year": film.year,
                "release_date": film.release_date.isoformat(),
                "release_precision": None,
                "directors": list(film.directors),
                "cast": [dict(member) for member in film.cast],
                "genres": list(film.genres),
                "mpaa": film.mpaa,
                "runtime": film.runtime,
                "rating": rating,
                "verdict": rng.choice(VERDICTS[rating]),
                "headline": _capitalised(_fill(rng.choice(HEADLINES), rng, film)),
                "body": _body(rng, film),
                "tags": tags,
                "liked": rng.random() < liked_chance,
                "rewatch": rewatch,
                "reviewer": rng.choices(REVIEWERS, REVIEWER_WEIGHTS)[0],
                "watched_on": watched.isoformat(),
                "logged_at": _stamp(logged),
                "logged_zone": zone_name,
                "updated_at": _stamp(updated),
                "sources": {},
            }
        )
    return out


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def write_journal(path: Path, count: int, seed: int = DEFAULT_SEED) -> int:
    """Write a journal of ``count`` reviews to ``path``; returns its size in bytes.

    Streams review by review, so 50,000 reviews need no more memory than their
    dicts; the bytes are compact JSON, the layout filmlog itself writes.
    """
    meta = {"1": {"format": "filmlog", "schema": 2, "next_id": count + 1}}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    with tmp.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write('{"_filmlog":' + _compact(meta) + ',"reviews":{')
        for number, doc in enumerate(reviews(count, seed), start=1):
            handle.write(("," if number > 1 else "") + f'"{number}":' + _compact(doc))
        handle.write("}}\n")
    tmp.replace(path)
    return path.stat().st_size


# The Letterboxd shape: an account export folder as Letterboxd writes it, for a
# journal built by `filmlog import` rather than written directly.
LETTERBOXD_VERSION = 1  # bump when its output for a given seed changes
LETTERBOXD_JOINED = date(2014, 3, 9)  # entries watched before joining were logged later, in bulk
LETTERBOXD_FILES = {
    "diary.csv": ["Date", "Name", "Year", "Letterboxd URI", "Rating", "Rewatch", "Tags", "Watched Date"],
    "reviews.csv": ["Date", "Name", "Year", "Letterboxd URI", "Rating", "Rewatch", "Review", "Tags", "Watched Date"],
    "ratings.csv": ["Date", "Name", "Year", "Letterboxd URI", "Rating"],
    "watched.csv": ["Date", "Name", "Year", "Letterboxd URI"],
    "watchlist.csv": ["Date", "Name", "Year", "Letterboxd URI"],
}  # fmt: skip
# Letterboxd tags are lower case with hyphens; a few are used far more than the rest.
LETTERBOXD_TAGS = [
    "on-netflix", "in-theaters", "on-blu-ray", "on-mubi", "on-criterion-channel", "with-friends",
    "in-black-and-white", "short", "35mm", "on-prime-video", "rental", "festival", "a24",
    "horror-month", "on-a-plane", "double-feature", "repertory", "silent", "debut",
    "best-picture", "restored", "imax", "date-night", "sick-day", "palme-d'or",
]  # fmt: skip
LETTERBOXD_TAG_WEIGHTS = [
    30,
    26,
    18,
    14,
    13,
    12,
    11,
    10,
    8,
    8,
    7,
    6,
    6,
    5,
    4,
    4,
    4,
    3,
    3,
    3,
    2,
    2,
    2,
    1,
    1,
]
# Diary-style asides: quotes and commas, as people write them on Letterboxd.
LETTERBOXD_SENTENCES = [
    'Watched with {n}, who called it "{j}" and then fell asleep.',
    'The line "{q}" is going to stay with me for a while.',
    "Rewatched it after years, and honestly, it holds up, mostly.",
    'My partner said it was "{j2}", and, well, fair.',
    "Okay, so, the ending.",
    "{a} deserved better, and so did I.",
    'Not as {j} as everyone says, but close, very close.',
    'Someone behind me whispered "{q}" along with the actors, which was either sweet or unbearable.',
    "Three things: the {m}, the score, and {a}'s face in the last scene.",
    "I went in expecting a {g_lower}, and got something stranger, sadder, and better.",
    "Fine. It's fine. It's a film, with a beginning, a middle, and, eventually, an end.",
    'Everyone kept saying "just wait for the third act", and, sure, the third act is good.',
]  # fmt: skip
# Base-62 codes, like the short links of boxd.it (an entry's code is longer than a film's).
_CODE_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _code(number: int) -> str:
    digits = ""
    while True:
        number, digit = divmod(number, 62)
        digits = _CODE_DIGITS[digit] + digits
        if not number:
            return digits


def _slug(title: str) -> str:
    words = "".join(c if c.isalnum() else " " for c in title.lower()).split()
    return "-".join(words)


def _stars(half_stars: int) -> str:
    return f"{half_stars / 2:g}"  # Letterboxd writes 4 and 3.5, never 4.0


@dataclass(slots=True)
class _Entry:
    film: Film
    film_number: int  # its place among the films, which names its boxd.it link
    watched: date
    logged: date
    rating: int | None
    rewatch: bool
    tags: list[str]
    review: str


def _letterboxd_review(rng: random.Random, film: Film, seen: list[Film]) -> str:
    """20 to 400 words in paragraphs, now and then with the HTML Letterboxd keeps."""
    # Mostly short; the last sentence and an aside may run past the target, never past 400.
    target = int(20 + 340 * rng.betavariate(1.1, 3.2))
    paragraphs: list[str] = []
    words = 0
    deck: list[str] = []
    asides: list[str] = []
    while words < target:
        sentences: list[str] = []
        for _ in range(rng.randint(1, 4)):
            # Dealt without replacement, so a sentence rarely repeats in one review.
            if rng.random() < 0.3:
                asides = asides or rng.sample(LETTERBOXD_SENTENCES, len(LETTERBOXD_SENTENCES))
                template = asides.pop().replace("{n}", rng.choice(FIRST_NAMES))
                template = template.replace("{q}", rng.choice(QUOTES))
            else:
                deck = deck or rng.sample(SENTENCES, len(SENTENCES))
                template = deck.pop()
            sentence = _fill(template, rng, film)
            sentences.append(sentence)
            words += len(sentence.split())
            if words >= target:
                break
        paragraphs.append(" ".join(sentences))
    others = [other for other in seen[-50:] if other is not film]
    extra = rng.random()
    if extra < 0.05 and others:
        other = rng.choice(others)
        link = f'<a href="https://letterboxd.com/film/{_slug(other.title)}/">{other.title}</a>'
        paragraphs.append(f"Pairs well with {link}, which I saw around the same time.")
    elif extra < 0.09 and others:
        paragraphs.insert(1, f"It plays like a warmer <i>{rng.choice(others).title}</i>.")
    elif extra < 0.12:
        paragraphs.insert(
            rng.randrange(len(paragraphs) + 1), f"<blockquote>{rng.choice(QUOTES)}</blockquote>"
        )
    elif extra < 0.14:
        paragraphs[-1] += " <b>Recommended.</b>"
    # Paragraphs end in a blank line, sometimes after a stray space, as typed in the browser.
    return (
        "".join(p + (" \n\n" if rng.random() < 0.1 else "\n\n") for p in paragraphs[:-1])
        + paragraphs[-1]
    )


def _letterboxd_diary(count: int, rng: random.Random) -> tuple[list[_Entry], list[Film]]:
    """``count`` diary entries in watched order, and every film they are of."""
    span = (LAST_WATCH - FIRST_WATCH).days
    films: list[Film] = []
    last_watched: list[date] = []  # by film number
    entries: list[_Entry] = []
    for index in range(count):
        # Watched dates never fall, so a rewatch always comes after the first viewing.
        watched = FIRST_WATCH + timedelta(days=int((index + rng.random()) / max(count, 1) * span))
        recent = range(max(0, len(films) - 400), len(films))
        candidates = [n for n in recent if last_watched[n] < watched]
        rewatch = bool(candidates) and rng.random() < 0.12
        if rewatch:
            favourites = [n for n in candidates if films[n].quality >= 8] or candidates
            number = rng.choice(favourites if rng.random() < 0.7 else candidates)
            film = films[number]
        else:
            film = _film(rng, watched.year)
            if films and rng.random() < 0.04:
                # A remake, or another film of the same name: one title, two years.
                namesake = rng.choice(films)
                if namesake.year != film.year:
                    film.title = namesake.title
            number = len(films)
            films.append(film)
            last_watched.append(watched)
            # A film seen before joining Letterboxd is a rewatch at its first entry.
            rewatch = rng.random() < 0.03
        last_watched[number] = watched
        if watched < LETTERBOXD_JOINED:
            logged = LETTERBOXD_JOINED + timedelta(days=rng.randrange(20))
        else:
            logged = watched + timedelta(days=rng.choice([0, 0, 0, 0, 1, 1, 2, 5]))
        rating = None
        if rng.random() < 0.85:
            rating = max(1, min(10, film.quality + rng.choice([-1, 0, 0, 0, 1])))
        tags: list[str] = []
        if rng.random() < 0.35:
            for _ in range(rng.randint(1, 3)):
                tag = rng.choices(LETTERBOXD_TAGS, LETTERBOXD_TAG_WEIGHTS)[0]
                if tag not in tags:
                    tags.append(tag)
        review = _letterboxd_review(rng, film, films) if rng.random() < 0.33 else ""
        entries.append(_Entry(film, number, watched, logged, rating, rewatch, tags, review))
    return entries, films


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    import csv

    # Letterboxd's files: UTF-8 without a byte-order mark, "\n" line ends, minimal quoting.
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_letterboxd(folder: Path, count: int, seed: int = DEFAULT_SEED) -> int:
    """Write a Letterboxd export of ``count`` diary entries to ``folder``; returns its size in bytes.

    The five files Letterboxd writes (diary, reviews, ratings, watched,
    watchlist), with their columns and quoting: every entry has a watched
    date, most a half-star rating, about a third a review, some are rewatches
    or tagged. ``watched.csv`` and ``ratings.csv`` hold only the diary's films,
    so importing the folder makes exactly ``count`` reviews; the watchlist
    holds a few hundred films not seen yet.
    """
    rng = random.Random(seed)
    entries, films = _letterboxd_diary(count, rng)

    def film_row(number: int, day: date) -> list[str]:
        film = films[number]
        return [
            day.isoformat(),
            film.title,
            str(film.year),
            f"https://boxd.it/{_code(250_000 + 7 * number)}",
        ]

    diary: list[list[str]] = []
    texts: list[tuple[date, list[str]]] = []
    first_logged: dict[int, date] = {}
    rated: dict[int, tuple[date, str]] = {}
    for index, entry in enumerate(entries):
        # An entry's link is its own, longer than any film's.
        link = f"https://boxd.it/{_code(40_000_000 + 53 * index + rng.randrange(53))}"
        stars = _stars(entry.rating) if entry.rating is not None else ""
        row = [*film_row(entry.film_number, entry.logged)[:3], link, stars]
        row += ["Yes" if entry.rewatch else "", ", ".join(entry.tags), entry.watched.isoformat()]
        diary.append(row)
        if entry.review:
            texts.append((entry.logged, [*row[:6], entry.review, *row[6:]]))
        first = first_logged.setdefault(entry.film_number, entry.logged)
        first_logged[entry.film_number] = min(first, entry.logged)
        if stars:
            rated[entry.film_number] = (entry.logged, stars)  # a film's rating is its latest

    # Letterboxd sorts the diary by watched date and the other files by their Date.
    def by_date(pair: tuple[date, list[str]]) -> date:
        return pair[0]

    reviews = [row for _, row in sorted(texts, key=by_date)]
    ratings = [
        [*film_row(n, day), stars]
        for n, (day, stars) in sorted(rated.items(), key=lambda i: i[1][0])
    ]
    watched = [film_row(n, day) for n, day in sorted(first_logged.items(), key=lambda i: i[1])]
    watchlist: list[tuple[date, list[str]]] = []
    logged = {(films[n].title.casefold(), films[n].year) for n in first_logged}
    for number in range((150 + count // 40) if count else 0):
        added = FIRST_WATCH + timedelta(days=rng.randrange((LAST_WATCH - FIRST_WATCH).days))
        film = _film(rng, added.year + 1)  # films announced, out, or long out
        if (film.title.casefold(), film.year) in logged:
            continue  # logging a film takes it off the watchlist
        year = "" if rng.random() < 0.01 else str(film.year)  # an announced film has no year yet
        link = f"https://boxd.it/{_code(5_000_000 + 11 * number)}"
        watchlist.append((added, [added.isoformat(), film.title, year, link]))
    folder.mkdir(parents=True, exist_ok=True)
    tables = {"diary.csv": diary, "reviews.csv": reviews, "ratings.csv": ratings}
    tables |= {
        "watched.csv": watched,
        "watchlist.csv": [row for _, row in sorted(watchlist, key=by_date)],
    }
    for name, rows in tables.items():
        _write_csv(folder / name, LETTERBOXD_FILES[name], rows)
    return sum((folder / name).stat().st_size for name in tables)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, help="how many reviews (diary entries)")
    parser.add_argument("output", type=Path, help="journal file (or export folder) to write")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default 1)")
    parser.add_argument(
        "--shape",
        choices=["filmlog", "letterboxd"],
        default="filmlog",
        help="filmlog: a journal file (the default); letterboxd: a Letterboxd export folder",
    )
    args = parser.parse_args(argv)
    if args.count < 0:
        parser.error("count must not be negative")
    if args.shape == "letterboxd":
        size = write_letterboxd(args.output, args.count, args.seed)
        what = f"a Letterboxd export of {args.count:,} diary entries"
    else:
        size = write_journal(args.output, args.count, args.seed)
        what = f"{args.count:,} reviews"
    print(f"wrote {what} to {args.output} ({size / 1e6:.1f} MB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
