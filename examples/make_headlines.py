#!/usr/bin/env python3
"""Writes the examples' invented news-headline data set.

Every headline, place, company and author below is made up for floe's examples. The output is
deterministic (fixed seed), so running this again rewrites the same bytes:

    python3 examples/make_headlines.py

writes examples/filter_service/headlines.csv and examples/news_job/headlines.csv (the same file:
each example directory is a self-contained "image").
"""

import csv
import datetime
import io
import os
import random

FIRST_ID = 122781
COUNT = 200
SEED = 20261124

PLACES = [
    "Harrowgate Bay", "Millbrook", "Eastvale", "Port Linden", "Ketterby", "Ashford Vale",
    "Glenmora", "Saltmarsh", "Caverly", "North Orrin", "Bramwick", "Tessaly Falls",
]
COMPANIES = [
    "Quillon Systems", "Brightwater Foods", "Norvane Rail", "Halcyon Batteries", "Pellucid Labs",
    "Ostrander Freight", "Kestrel Mobile", "Marrow & Vine", "Lumic Energy", "Tallow Street Bank",
]
TECH_COMPANIES = ["Quillon Systems", "Kestrel Mobile", "Pellucid Labs", "Halcyon Batteries"]
FOOD_COMPANIES = ["Brightwater Foods", "Marrow & Vine", "Oatley Hollow Mills"]
TRANSPORT_COMPANIES = ["Norvane Rail", "Ostrander Freight", "Westerly Coaches"]
TEAMS = [
    "the Millbrook Herons", "the Eastvale Foxes", "Port Linden United", "the Ketterby Rams",
    "the Saltmarsh Pilots", "Caverly Athletic", "the Bramwick Owls", "the Glenmora Stags",
]
AUTHORS = [
    "Ada Merriweather", "Tomas Quell", "Priya Ranganathan", "Owen Hallstrom", "Lucia Ferrante",
    "Kenji Arakawa", "Marta Oyelaran", "Felix Duarte", "Hannah Strand", "Ibrahim Sayegh",
    "Nora Kilbride", "Dmitri Volkov", "Grace Ndiaye", "Samuel Achterberg",
]

# Per category: (headline template, description template). Slots: {place}, {company}, {team},
# {team2}, {n}, {pct}, {small}, {big}, {goals}, {techco}, {foodco}, {transportco}.
TEMPLATES = {
    "TECH": [
        ("{techco} unveils a phone that charges in {n} minutes",
         "Early testers say the battery claim holds up, but the price does not."),
        ("{place} library lends out laptops alongside books",
         "The pilot scheme starts with {n} machines and a two-week loan period."),
        ("{techco} pauses its smart-fridge rollout after a software bug",
         "Owners reported doors that refused to open until the appliance was restarted."),
        ("Open-source map of {place} cycle lanes reaches {n} contributors",
         "Volunteers have traced every route in the town, including the unofficial ones."),
        ("{techco} promises {small} years of updates for its new tablets",
         "The pledge goes further than most rivals, who stop after three or four years."),
        ("Students in {place} build a weather station from spare parts",
         "The station posts readings every {n} minutes to a public website."),
    ],
    "SCIENCE": [
        ("Astronomers in {place} spot a comet that returns every {n} years",
         "The faint visitor will be easiest to see from dark countryside just before dawn."),
        ("A beetle found near {place} turns out to be a new species",
         "Researchers named it after the retired teacher who first collected it."),
        ("Lab at {place} university grows a crystal {n} times faster than before",
         "The method could make some sensors cheaper, the team says."),
        ("Tide gauges in {place} record the highest water in {n} years",
         "Scientists say the reading fits a long, slow rise along the coast."),
        ("Citizen scientists count {n} bird species in one {place} weekend",
         "The count beat last year's total, helped by a mild and windless spring."),
        ("Study of {place} honeybees links calmer hives to wildflower verges",
         "Hives next to unmown roadsides stung far less often during inspections."),
    ],
    "BUSINESS": [
        ("{company} opens its largest warehouse yet in {place}",
         "The site will employ about {big} people once it is fully running."),
        ("{company} shares rise {pct}% after a surprise profit",
         "Analysts had expected a small loss for the quarter."),
        ("{place} market traders vote to keep Sunday opening",
         "{pct}% of stallholders backed the longer week in a show of hands."),
        ("{company} and {company2} agree to share delivery vans",
         "The two firms say the deal will take {n} vehicles off the road."),
        ("Small shops in {place} report their busiest December in {n} years",
         "Owners credit a new bus route and a free parking scheme."),
        ("{company} to move its head office to {place}",
         "Staff were told the move would be complete within {small} months."),
    ],
    "SPORTS": [
        ("{team} beat {team2} {goals}-1 in a rain-soaked derby",
         "A late header settled a match that had been level for most of the second half."),
        ("{team} sign a goalkeeper from {place}",
         "The 23-year-old kept {small} clean sheets last season."),
        ("Record field of {big} runners for the {place} half marathon",
         "Organisers added a second start wave to keep the narrow lanes safe."),
        ("{team} appoint their first female head coach",
         "She joins after {small} years in charge of the academy."),
        ("{place} swimmer breaks a county record that stood for {n} years",
         "The 16-year-old touched the wall almost a full second inside the old mark."),
        ("{team} and {team2} share the points in a goalless draw",
         "Both sides hit the woodwork in a lively but finish-less afternoon."),
    ],
    "TRAVEL": [
        ("{place} reopens its clifftop path after a {small}-month repair",
         "Walkers can once again follow the coast all the way to the lighthouse."),
        ("{transportco} adds a night train between {place} and {place2}",
         "Sleeper cabins go on sale next week, with {n} berths per train."),
        ("Why {place} is the quiet alternative to crowded seaside towns",
         "Fewer coaches, cheaper cafes and a beach that stays empty until noon."),
        ("{place} ferry timetable doubles for the summer season",
         "Boats will leave every {n} minutes on weekends until September."),
        ("A weekend in {place}: markets, museums and a very old pub",
         "Our guide to {small} things worth doing when the weather turns."),
        ("{place} bans cars from its old town on Saturdays",
         "Shopkeepers were split, but footfall rose {pct}% in the trial."),
    ],
    "FOOD & DRINK": [
        ("{place} bakery wins a national prize for its rye loaf",
         "The recipe uses a starter the owner says is {n} years old."),
        ("{foodco} recalls a batch of oat biscuits over labelling error",
         "The packets listed the wrong allergen; no illnesses have been reported."),
        ("A {place} cafe serves only soup, and the queue is around the block",
         "The menu changes daily and there are never more than {small} choices."),
        ("Cider makers in {place} expect a bumper apple harvest",
         "A warm spring means orchards are heavier than at any time in {n} years."),
        ("{place} school kitchen cuts food waste by {pct}%",
         "Pupils now choose their portions, and leftovers go to a community fridge."),
        ("{foodco} launches a range of low-salt stocks",
         "The company says it tested {n} recipes before settling on four."),
    ],
    "ENVIRONMENT": [
        ("{place} plants {big} trees along its ring road",
         "The council says the saplings were grown from local seed."),
        ("Otters return to the river at {place} after decades away",
         "Volunteers confirmed the sighting with a camera trap set for {n} nights."),
        ("{company} switches its fleet to electric vans",
         "The firm expects to cut its fuel bill by {pct}% over five years."),
        ("{place} repair cafe fixes its {n}th toaster",
         "Volunteers meet monthly to mend what would otherwise be thrown away."),
        ("Solar panels go up on every school roof in {place}",
         "The panels should cover about {pct}% of the schools' daytime power."),
        ("Beach clean in {place} collects {n} kilograms of plastic",
         "Most of it was fishing line and the caps of drinks bottles."),
    ],
    "CULTURE": [
        ("{place} museum puts a lost medieval map on display",
         "The map was found folded inside a ledger during a clear-out of the archive."),
        ("Folk festival in {place} sells out in {n} minutes",
         "Organisers are considering a second stage for next year."),
        ("A novel set in {place} wins the regional book prize",
         "Judges praised its portrait of a fishing family over {n} years."),
        ("{place} choir of {n} voices records its first album",
         "Proceeds will pay for a new roof on the hall where they rehearse."),
        ("Street artists repaint the {place} underpass",
         "The mural took {n} days and shows the town's history as a river."),
        ("{company} sponsors free theatre in {place} parks",
         "Shows run every Friday evening through August, weather permitting."),
    ],
}


def make_rows():
    """Returns the data set as a list of dicts, ordered by UNIQUE_ID."""
    rng = random.Random(SEED)
    start = datetime.date(2022, 1, 3)
    end = datetime.date(2024, 12, 30)
    span = (end - start).days
    dates = sorted(start + datetime.timedelta(days=rng.randrange(span + 1)) for _ in range(COUNT))
    categories = list(TEMPLATES)
    seen = set()
    rows = []
    for i in range(COUNT):
        while True:
            category = rng.choice(categories)
            headline_t, description_t = rng.choice(TEMPLATES[category])
            place, place2 = rng.sample(PLACES, 2)
            company, company2 = rng.sample(COMPANIES, 2)
            team, team2 = rng.sample(TEAMS, 2)
            slots = {
                "place": place, "place2": place2, "company": company, "company2": company2,
                "team": team, "team2": team2, "n": rng.randint(4, 60), "pct": rng.randint(3, 40),
                "small": rng.randint(3, 9), "big": rng.choice(range(200, 3001, 50)), "goals": rng.randint(2, 4),
                "techco": rng.choice(TECH_COMPANIES), "foodco": rng.choice(FOOD_COMPANIES),
                "transportco": rng.choice(TRANSPORT_COMPANIES),
            }
            headline = headline_t.format(**slots)
            if headline not in seen:
                seen.add(headline)
                break
        authors = ", ".join(sorted(rng.sample(AUTHORS, rng.choice([1, 1, 1, 2]))))
        rows.append({
            "UNIQUE_ID": FIRST_ID + i,
            "DATE": dates[i].isoformat(),
            "CATEGORY": category,
            "HEADLINE": headline,
            "SHORT_DESCRIPTION": description_t.format(**slots),
            "AUTHORS": authors,
        })
    return rows


def main():
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["UNIQUE_ID", "DATE", "CATEGORY", "HEADLINE",
                                             "SHORT_DESCRIPTION", "AUTHORS"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(make_rows())
    here = os.path.dirname(os.path.abspath(__file__))
    for example in ("filter_service", "news_job"):
        path = os.path.join(here, example, "headlines.csv")
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(out.getvalue())
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
