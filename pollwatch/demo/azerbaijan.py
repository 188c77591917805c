"""Static facts the demo generator draws on: regions, candidates and names.

The geography follows Azerbaijan's 14 economic regions with approximate centres; constituency and station
names, candidates and all numbers are synthetic. Candidates are fictional on purpose: later issues inject
falsification into the demo's official results, and that must not be attributed to real people.
"""

# (code, name, latitude, longitude, constituencies, share of urban stations)
REGIONS = [
    ("R01", "Baku", 40.41, 49.87, 26, 1.0),
    ("R02", "Absheron-Khizi", 40.55, 49.55, 9, 0.7),
    ("R03", "Ganja-Dashkasan", 40.66, 46.33, 6, 0.6),
    ("R04", "Gazakh-Tovuz", 41.03, 45.56, 9, 0.3),
    ("R05", "Guba-Khachmaz", 41.37, 48.52, 7, 0.3),
    ("R06", "Lankaran-Astara", 38.75, 48.80, 11, 0.3),
    ("R07", "Central Aran", 40.40, 47.65, 11, 0.3),
    ("R08", "Mil-Mughan", 39.80, 48.05, 7, 0.25),
    ("R09", "Shaki-Zagatala", 41.35, 47.00, 8, 0.3),
    ("R10", "Shirvan-Salyan", 39.65, 49.00, 7, 0.35),
    ("R11", "Mountainous Shirvan", 40.63, 48.64, 6, 0.25),
    ("R12", "Karabakh", 39.85, 46.95, 8, 0.3),
    ("R13", "East Zangezur", 39.45, 46.55, 4, 0.2),
    ("R14", "Nakhchivan", 39.20, 45.40, 6, 0.35),
]

CANDIDATES = [
    ("Rauf Gasimov", "New Horizon Party"),
    ("Zaur Orujov", "Independent"),
    ("Farid Aliyarov", "Liberal Union"),
    ("Gudrat Hasanli", "Popular Front of All Azerbaijanis"),
    ("Ramin Nuriyev", "National Front"),
    ("Elchin Musazade", "Great Order"),
    ("Fuad Mustafazade", "Great Revival"),
]

STREETS = [
    "Nizami", "Fuzuli", "Khagani", "Samad Vurgun", "Istiglaliyyat", "Azadlig", "Neftchilar", "Heydar Aliyev",
    "28 May", "Rashid Behbudov", "Uzeyir Hajibeyov", "Natavan", "Bulbul", "Jafar Jabbarly", "Khatai",
]
BUILDINGS = ["School No. {n}", "Secondary school No. {n}", "Culture house", "Library No. {n}", "Lyceum No. {n}",
             "Youth centre", "Village club", "Polyclinic No. {n}", "Music school No. {n}", "Kindergarten No. {n}"]

AZ_GIVEN = ["Aydan", "Leyla", "Nigar", "Sevinj", "Gunel", "Aynur", "Kamala", "Narmin", "Rashad", "Elvin", "Orkhan",
            "Tural", "Vusal", "Kamran", "Murad", "Ilkin", "Farid", "Javid", "Samir", "Emin", "Zaur", "Ulviyya",
            "Arzu", "Samira", "Lala", "Togrul", "Ramil", "Anar", "Shahin", "Gulnar"]
AZ_FAMILY = ["Mammadov", "Aliyev", "Hasanov", "Huseynov", "Guliyev", "Ismayilov", "Abbasov", "Jafarov", "Rzayev",
             "Karimov", "Suleymanov", "Babayev", "Mustafayev", "Valiyev", "Ibrahimov", "Gasimov", "Rahimov",
             "Najafov", "Orujov", "Bayramov"]
INT_GIVEN = ["Anna", "Ingrid", "Marta", "Sofia", "Claire", "Eva", "Julia", "Katarzyna", "Lena", "Maria", "Tomas",
             "Jan", "Pierre", "Lars", "Mikko", "David", "Stefan", "Luca", "Henrik", "Pedro", "Olga", "Nils",
             "Aoife", "Piotr", "Hanna", "Jonas", "Elif", "Milan", "Rosa", "Erik"]
INT_FAMILY = ["Larsen", "Novak", "Dubois", "Schmidt", "Rossi", "Kowalski", "Jensen", "Virtanen", "Murphy",
              "Fischer", "Lindqvist", "Horvat", "Costa", "Meyer", "Bakker", "Nilsson", "Kovacs", "Popescu",
              "Brennan", "Weber"]
# Country calling codes of the international observers' home countries.
INT_PHONE_PREFIXES = ["+47", "+420", "+33", "+49", "+39", "+48", "+45", "+358", "+353", "+46", "+385", "+351"]
