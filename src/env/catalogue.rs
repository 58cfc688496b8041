//! What the items of a world are made of where more than one part of the code builds
//! them: a Coat item from its attribute values (the real loader and the synthetic Coat
//! both make them) and Coat's fields.

use super::vocab::{Field, FieldSpec, COAT_ITEM, COAT_USER};
use super::world::Item;

/// Coat's jacket type: the category for MCD and the tags of the tag-count rule.
pub const COAT_TAG_FIELD: usize = 1;

/// A Coat item from its attribute values; its title reads like a shop listing.
pub fn coat_item(attrs: Vec<Vec<u16>>) -> Item {
    let v = |f: usize| COAT_ITEM[f].values[attrs[f][0] as usize];
    let title = format!("{}'s {} {} jacket", v(0), v(2), v(1));
    let category = attrs[COAT_TAG_FIELD][0];
    Item {
        title,
        tags: vec![category],
        category,
        attrs,
    }
}

/// The field list of a real Coat world (also used by the synthetic Coat).
pub fn coat_fields() -> (Vec<Field>, Vec<Field>) {
    (
        COAT_USER.iter().map(FieldSpec::to_field).collect(),
        COAT_ITEM.iter().map(FieldSpec::to_field).collect(),
    )
}
