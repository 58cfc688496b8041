//! The attribute vocabularies of the three environments, written into the code because
//! a visitor's page has no data folder. Coat's are exactly those of the real data
//! (`user_features_map.txt`, `item_features_map.txt`, in that column order); KuaiRec's
//! 31 tag names and MovieLens' occupations follow the real data sets' categories.

/// One attribute of a user or an item: a name and its possible values.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Field {
    /// Name as in the data (`"gender"`, `"jackettype"`, `"genres"`).
    pub name: String,
    /// Human-readable values, in the data's column order.
    pub values: Vec<String>,
    /// Whether an entity can carry several values (tags, genres) rather than exactly one.
    pub multi: bool,
}

/// A static description of a [`Field`], for the tables below.
#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    pub name: &'static str,
    pub values: &'static [&'static str],
    /// `None`: exactly one value; `Some((lo, hi))`: between lo and hi values.
    pub several: Option<(usize, usize)>,
}

impl FieldSpec {
    /// The owned form stored in a world.
    pub fn to_field(&self) -> Field {
        Field {
            name: self.name.to_string(),
            values: self.values.iter().map(|v| v.to_string()).collect(),
            multi: self.several.is_some(),
        }
    }
}

const fn one(name: &'static str, values: &'static [&'static str]) -> FieldSpec {
    FieldSpec {
        name,
        values,
        several: None,
    }
}

// ---------------------------------------------------------------- Coat (real columns)
pub const COAT_USER: &[FieldSpec] = &[
    one("gender", &["men", "women"]),
    one(
        "age",
        &["20-30", "30-40", "40-50", "50-60", "over 60", "under 20"],
    ),
    one("location", &["rural", "suburban", "urban"]),
    one("fashioninterest", &["moderately", "not at all", "very"]),
];

pub const COAT_ITEM: &[FieldSpec] = &[
    one("gender", &["men", "women"]),
    one(
        "jackettype",
        &[
            "bomber",
            "cropped",
            "field",
            "fleece",
            "insulated",
            "motorcycle",
            "other",
            "packable",
            "parkas",
            "pea",
            "rain",
            "shells",
            "track",
            "trench",
            "vests",
            "waterproof",
        ],
    ),
    one(
        "color",
        &[
            "beige", "black", "blue", "brown", "gray", "green", "multi", "navy", "olive", "other",
            "pink", "purple", "red",
        ],
    ),
    one("onfrontpage", &["yes", "no"]),
];

// ---------------------------------------------------------------- KuaiRec
pub const KUAIREC_TAGS: &[&str] = &[
    "Food",
    "Travel",
    "Pets",
    "Comedy",
    "Music",
    "Dance",
    "Gaming",
    "Sports",
    "Fashion",
    "Beauty",
    "Parenting",
    "Education",
    "Technology",
    "Cars",
    "Fitness",
    "News",
    "Film & TV",
    "Anime",
    "Crafts",
    "Home & Garden",
    "Farming",
    "Nature",
    "Relationships",
    "Life hacks",
    "Celebrities",
    "Art",
    "Photography",
    "Finance",
    "Health",
    "Military",
    "Science",
];

pub const KUAIREC_USER: &[FieldSpec] = &[
    one("activity", &["low", "middle", "high", "full"]),
    one("followers", &["under 10", "10-100", "100-1k", "over 1k"]),
];

pub const KUAIREC_ITEM: &[FieldSpec] = &[
    FieldSpec {
        name: "tags",
        values: KUAIREC_TAGS,
        several: Some((1, 3)),
    },
    one(
        "duration",
        &["under 15 s", "15-30 s", "30-60 s", "1-3 min", "over 3 min"],
    ),
];

// ---------------------------------------------------------------- MovieLens-1M
pub const MOVIELENS_GENRES: &[&str] = &[
    "Action",
    "Adventure",
    "Animation",
    "Children's",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Fantasy",
    "Film-Noir",
    "Horror",
    "Musical",
    "Mystery",
    "Romance",
    "Sci-Fi",
    "Thriller",
    "War",
    "Western",
];

pub const MOVIELENS_USER: &[FieldSpec] = &[
    one("gender", &["male", "female"]),
    one(
        "age",
        &[
            "under 18", "18-24", "25-34", "35-44", "45-49", "50-55", "56+",
        ],
    ),
    one(
        "occupation",
        &[
            "other",
            "academic/educator",
            "artist",
            "clerical/admin",
            "college/grad student",
            "customer service",
            "doctor/health care",
            "executive/managerial",
            "farmer",
            "homemaker",
            "K-12 student",
            "lawyer",
            "programmer",
            "retired",
            "sales/marketing",
            "scientist",
            "self-employed",
            "technician/engineer",
            "tradesman/craftsman",
            "unemployed",
            "writer",
        ],
    ),
];

pub const MOVIELENS_ITEM: &[FieldSpec] = &[
    one(
        "decade",
        &[
            "1920s", "1930s", "1940s", "1950s", "1960s", "1970s", "1980s", "1990s", "2000s",
        ],
    ),
    FieldSpec {
        name: "genres",
        values: MOVIELENS_GENRES,
        several: Some((1, 3)),
    },
];

/// Words for made-up but plausible film titles.
pub const TITLE_ADJECTIVES: &[&str] = &[
    "Silent",
    "Last",
    "Crimson",
    "Hidden",
    "Broken",
    "Golden",
    "Midnight",
    "Lost",
    "Wild",
    "Quiet",
    "Distant",
    "Burning",
    "Frozen",
    "Electric",
    "Secret",
    "Restless",
    "Velvet",
    "Iron",
    "Hollow",
    "Bright",
    "Northern",
    "Forgotten",
    "Savage",
    "Gentle",
];
pub const TITLE_NOUNS: &[&str] = &[
    "Harbor",
    "Summer",
    "Road",
    "Witness",
    "Garden",
    "Empire",
    "Stranger",
    "Horizon",
    "Promise",
    "River",
    "Kingdom",
    "Shadow",
    "Letter",
    "Frontier",
    "Circus",
    "Machine",
    "Island",
    "Orchestra",
    "Detective",
    "Winter",
    "Mountain",
    "Mirror",
    "Heart",
    "Station",
];
pub const TITLE_PLACES: &[&str] = &[
    "Paris",
    "the Desert",
    "Brooklyn",
    "the North",
    "Avalon",
    "Chinatown",
    "the Valley",
    "Tomorrow",
    "Vienna",
    "the Moon",
    "Mars",
    "the Bayou",
    "Casablanca",
    "Main Street",
];
/// Where each field's values start when the values of all the fields are numbered in
/// one run (field by field, in order), and how many values there are in all: the one
/// place that numbers attribute values globally (`World::item_attribute_offsets` and the
/// synthetic generator read it).
pub fn value_offsets(sizes: impl IntoIterator<Item = usize>) -> (Vec<usize>, usize) {
    let mut offsets = Vec::new();
    let mut n = 0;
    for size in sizes {
        offsets.push(n);
        n += size;
    }
    (offsets, n)
}

