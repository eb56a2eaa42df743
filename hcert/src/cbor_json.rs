//! Single-pass CBOR → JSON for the verify path: the CWT payload is read once, with no
//! `ciborium::Value` tree in between, either straight into `serde_json::Value` ([`to_json`]) or
//! into a [`Node`], the same JSON view with text borrowed from the bytes and maps kept as lists
//! (no key strings to allocate, no hashing). The verifier checks a certificate on the `Node`
//! and builds the `serde_json::Value` only when its report is asked for the certificate.
//!
//! It accepts exactly what `ciborium::de::from_reader_with_recursion_limit::<ciborium::Value>`
//! accepts with the limit [`MAX_DEPTH`] (the same nesting count for arrays, maps and tags;
//! bignums of up to 16 bytes read as integers; indefinite-length strings, nested ones included; simple values 20–23 only, in
//! either encoding; half floats) and converts as [`crate::cwt::to_json`] does: text keys kept,
//! integer keys as decimal text, other keys as their JSON text, byte strings as base64, tags
//! dropped, non-finite floats as null, a repeated key keeping its first place and last value.
//! `tests/cbor_equivalence.rs` holds it to both on the EU test vectors and on generated CBOR.
//!
//! No length read from the input is trusted: every allocation is bounded by the bytes left.

use std::borrow::Cow;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Number, Value as Json};

use crate::{Error, Result};

/// Arrays, maps and tags nested deeper than this are refused (SECURITY.md 39; a DCC payload
/// nests six deep). The typed decode ([`crate::cwt::decode`]) gives ciborium the same limit.
pub const MAX_DEPTH: usize = 16;

const TAG_BIGPOS: u64 = 2;
const TAG_BIGNEG: u64 = 3;

/// Converts one complete CBOR item (nothing after it) into JSON.
pub fn to_json(bytes: &[u8]) -> Result<Json> {
    let mut r = Reader::new(bytes);
    let json = r.json().and_then(|j| r.finish().map(|()| j));
    json.map_err(|m| m.into_error())
}

/// Why the bytes are not CBOR, and where.
#[derive(Debug)]
pub(crate) struct Malformed {
    what: &'static str,
    at: usize,
}

impl Malformed {
    /// The `cbor` error, worded as the ciborium path words a decoding failure.
    pub(crate) fn into_error(self) -> Error {
        Error::Cbor(format!(
            "the payload is not valid CBOR: {} (byte {})",
            self.what, self.at
        ))
    }
}

type Res<T> = std::result::Result<T, Malformed>;

/// One data item's initial byte(s), with its argument read.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Head {
    Pos(u64),
    Neg(u64),
    Bytes(Option<u64>),
    Text(Option<u64>),
    Array(Option<u64>),
    Map(Option<u64>),
    Tag(u64),
    Simple(u8),
    Float(f64),
    Break,
}

/// What is left of a tagged item once read: the top of its content.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Inner {
    Int(i128),
    Float(f64),
    Other,
}

/// An item read without building it: what the CWT claims and keys need to know about it.
#[derive(Debug, Clone)]
pub(crate) enum Shape<'a> {
    /// An integer (a major type 0/1 one, or a bignum of up to 16 bytes that fits 64 bits).
    Int(i128),
    Float(f64),
    Text(Cow<'a, str>),
    Bytes,
    Bool,
    Null,
    Array,
    Map,
    /// A tagged item (a bignum beyond 64 bits among them: ciborium keeps it as a tag).
    Tag(u64, Inner),
}

impl Shape<'_> {
    /// The value as an integer claim key, when it is an integer.
    pub(crate) fn int(&self) -> Option<i128> {
        match self {
            Shape::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// A short name of the type, as [`crate::cwt::kind`] names the ciborium value.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Shape::Int(_) => "an integer",
            Shape::Bytes => "a byte string",
            Shape::Float(_) => "a float",
            Shape::Text(_) => "a text string",
            Shape::Bool => "a boolean",
            Shape::Null => "null",
            Shape::Tag(..) => "a tagged value",
            Shape::Array => "an array",
            Shape::Map => "a map",
        }
    }
}

/// A bignum (tag 2 or 3 around at most 16 bytes) as ciborium reads it.
enum Big<'a> {
    /// It fits ciborium's integer range (−2⁶⁴ ..= 2⁶⁴ − 1).
    Int(i128),
    /// It does not: kept as the tag around its magnitude without leading zeros.
    Bytes(&'a [u8]),
}

/// The JSON view of a CBOR item without building `serde_json` values: text borrowed from the
/// bytes, maps as lists of entries. It reads exactly what [`to_json`] reads and converts the
/// same way; a key given more than once has its last value, as in [`to_json`]'s maps. The
/// verifier checks a certificate on this view and builds the JSON only when it is asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum Node<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as [`to_json`] writes it.
    Number(Number),
    /// A string (a byte string's is its base64).
    Text(Cow<'a, str>),
    /// An array.
    Array(Vec<Node<'a>>),
    /// An object.
    Object(Object<'a>),
}

/// A map's entries as read, keys as [`to_json`] writes them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Object<'a> {
    entries: Vec<(Cow<'a, str>, Node<'a>)>,
}

impl<'a> Object<'a> {
    /// The value of `key`: the last one given, as in [`to_json`].
    pub fn get(&self, key: &str) -> Option<&Node<'a>> {
        // Keys are a few bytes: compared inline rather than through a `memcmp` call each.
        let same =
            |k: &str| k.len() == key.len() && k.bytes().zip(key.bytes()).all(|(a, b)| a == b);
        self.entries
            .iter()
            .rev()
            .find(|(k, _)| same(k))
            .map(|(_, v)| v)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The entries as read, repeated keys included.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &Node<'a>)> {
        self.entries.iter().map(|(k, v)| (k.as_ref(), v))
    }
}

impl<'a> Node<'a> {
    /// The object, when it is one.
    pub fn as_object(&self) -> Option<&Object<'a>> {
        match self {
            Node::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The items, when it is an array.
    pub fn as_array(&self) -> Option<&[Node<'a>]> {
        match self {
            Node::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The text, when it is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::Text(t) => Some(t),
            _ => None,
        }
    }

    /// The number, when it is one.
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Node::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The JSON [`to_json`] builds for the same item, built from this view instead of from the
    /// bytes again: a key given more than once keeps its first place and takes its last value.
    pub fn to_json(&self) -> Json {
        match self {
            Node::Array(items) => Json::Array(items.iter().map(Node::to_json).collect()),
            Node::Object(object) => {
                let mut map = Map::with_capacity(object.entries.len());
                for (key, value) in &object.entries {
                    map.insert(key.to_string(), value.to_json());
                }
                Json::Object(map)
            }
            scalar => scalar.scalar_json(),
        }
    }

    /// A scalar as JSON (`null` for an array or an object).
    pub fn scalar_json(&self) -> Json {
        match self {
            Node::Bool(b) => Json::Bool(*b),
            Node::Number(n) => Json::Number(n.clone()),
            Node::Text(t) => Json::String(t.to_string()),
            Node::Null | Node::Array(_) | Node::Object(_) => Json::Null,
        }
    }
}

/// Writes the JSON that [`to_json`] builds for the same item, without building it: a key given
/// more than once is written once, in its first place, with its last value.
impl Serialize for Node<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Node::Null => s.serialize_unit(),
            Node::Bool(b) => s.serialize_bool(*b),
            Node::Number(n) => n.serialize(s),
            Node::Text(t) => s.serialize_str(t),
            Node::Array(items) => s.collect_seq(items),
            Node::Object(object) => object.serialize(s),
        }
    }
}

impl Serialize for Object<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        // A repeated key is rare (a DCC has none): looked for among the earlier keys, through a
        // set only when the map is large enough for that to matter.
        let keys = self.entries.len();
        let mut seen = (keys > 32).then(|| std::collections::HashSet::with_capacity(keys));
        let mut map = s.serialize_map(None)?;
        for (i, (key, _)) in self.entries.iter().enumerate() {
            let first = match seen.as_mut() {
                Some(seen) => seen.insert(key.as_ref()),
                None => !self.entries.iter().take(i).any(|(k, _)| k == key),
            };
            if let (true, Some(value)) = (first, self.get(key)) {
                map.serialize_entry(key.as_ref(), value)?;
            }
        }
        map.end()
    }
}

/// Reads one complete CBOR item (nothing after it) as a [`Node`].
pub fn to_node(bytes: &[u8]) -> Result<Node<'_>> {
    let mut r = Reader::new(bytes);
    let node = r.node().and_then(|n| r.finish().map(|()| n));
    node.map_err(|m| m.into_error())
}

/// A cursor over the bytes with the nesting budget left.
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    budget: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Reader {
            data,
            pos: 0,
            budget: MAX_DEPTH,
        }
    }

    fn malformed(&self, what: &'static str) -> Malformed {
        Malformed { what, at: self.pos }
    }

    fn left(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }

    /// Fails unless every byte was read.
    pub(crate) fn finish(&self) -> Res<()> {
        match self.left() {
            0 => Ok(()),
            _ => Err(self.malformed("bytes after the item")),
        }
    }

    /// How many bytes were read.
    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    /// How many bytes follow the item read so far.
    pub(crate) fn trailing(&self) -> usize {
        self.left()
    }

    pub(crate) fn take(&mut self, n: u64) -> Res<&'a [u8]> {
        let n = usize::try_from(n)
            .ok()
            .filter(|n| *n <= self.left())
            .ok_or_else(|| self.malformed("the data ends inside an item"))?;
        let end = self.pos + n;
        let bytes = self
            .data
            .get(self.pos..end)
            .ok_or_else(|| self.malformed("the data ends inside an item"))?;
        self.pos = end;
        Ok(bytes)
    }

    fn be(&mut self, n: u64) -> Res<u64> {
        Ok(self
            .take(n)?
            .iter()
            .fold(0u64, |acc, b| acc << 8 | u64::from(*b)))
    }

    /// Enters an array, a map or a tag.
    pub(crate) fn enter(&mut self) -> Res<()> {
        self.budget = self
            .budget
            .checked_sub(1)
            .ok_or_else(|| self.malformed("nested too deeply"))?;
        Ok(())
    }

    pub(crate) fn leave(&mut self) {
        self.budget += 1;
    }

    pub(crate) fn head(&mut self) -> Res<Head> {
        let start = self.pos;
        let Some(&initial) = self.data.get(self.pos) else {
            return Err(self.malformed("the data ends where an item should start"));
        };
        self.pos += 1;
        let (major, info) = (initial >> 5, initial & 0x1F);
        if major == 7 {
            return match info {
                0..=23 => Ok(Head::Simple(info)),
                24 => Ok(Head::Simple(self.be(1)? as u8)),
                25 => Ok(Head::Float(half(self.be(2)? as u16))),
                26 => Ok(Head::Float(f64::from(f32::from_bits(self.be(4)? as u32)))),
                27 => Ok(Head::Float(f64::from_bits(self.be(8)?))),
                31 => Ok(Head::Break),
                _ => Err(self.malformed("reserved additional information")),
            };
        }
        let arg = match info {
            0..=23 => Some(u64::from(info)),
            24 => Some(self.be(1)?),
            25 => Some(self.be(2)?),
            26 => Some(self.be(4)?),
            27 => Some(self.be(8)?),
            31 => None,
            _ => return Err(self.malformed("reserved additional information")),
        };
        match (major, arg) {
            (0, Some(x)) => Ok(Head::Pos(x)),
            (1, Some(x)) => Ok(Head::Neg(x)),
            (2, len) => Ok(Head::Bytes(len)),
            (3, len) => Ok(Head::Text(len)),
            (4, len) => Ok(Head::Array(len)),
            (5, len) => Ok(Head::Map(len)),
            (6, Some(x)) => Ok(Head::Tag(x)),
            _ => Err(Malformed {
                what: "an indefinite length on an integer or a tag",
                at: start,
            }),
        }
    }

    /// Counts down the entries of an array or map: `left` is the definite count, or `None`
    /// until a break ends an indefinite one.
    pub(crate) fn more(&mut self, left: &mut Option<u64>) -> bool {
        match left {
            Some(0) => false,
            Some(n) => {
                *n -= 1;
                true
            }
            None if self.data.get(self.pos) == Some(&0xFF) => {
                self.pos += 1;
                false
            }
            None => true,
        }
    }

    /// A byte string's content; the chunks of an indefinite one joined.
    fn bytes(&mut self, len: Option<u64>) -> Res<Cow<'a, [u8]>> {
        match len {
            Some(n) => Ok(Cow::Borrowed(self.take(n)?)),
            None => {
                let mut out = Vec::new();
                self.chunks(false, |chunk| {
                    out.extend_from_slice(chunk);
                    true
                })?;
                Ok(Cow::Owned(out))
            }
        }
    }

    /// A text string's content; each chunk of an indefinite one must be UTF-8 by itself.
    fn text(&mut self, len: Option<u64>) -> Res<Cow<'a, str>> {
        match len {
            Some(n) => {
                let at = self.pos;
                std::str::from_utf8(self.take(n)?)
                    .map(Cow::Borrowed)
                    .map_err(|_| Malformed {
                        what: "a text string that is not UTF-8",
                        at,
                    })
            }
            None => {
                let mut out = String::new();
                self.chunks(true, |chunk| match std::str::from_utf8(chunk) {
                    Ok(s) => {
                        out.push_str(s);
                        true
                    }
                    Err(_) => false,
                })?;
                Ok(Cow::Owned(out))
            }
        }
    }

    /// The chunks of an indefinite-length string up to its break. As in ciborium, a chunk may
    /// itself be an indefinite string of the same type (each then ends with its own break).
    fn chunks(&mut self, text: bool, mut each: impl FnMut(&'a [u8]) -> bool) -> Res<()> {
        let mut open = 1usize;
        while open > 0 {
            let at = self.pos;
            let len = match (self.head()?, text) {
                (Head::Break, _) => {
                    open -= 1;
                    continue;
                }
                (Head::Bytes(len), false) | (Head::Text(len), true) => len,
                _ => {
                    return Err(Malformed {
                        what: "a chunk of an indefinite-length string is not of its type",
                        at,
                    })
                }
            };
            match len {
                None => open += 1,
                Some(n) => {
                    let start = self.pos;
                    let chunk = self.take(n)?;
                    if !each(chunk) {
                        return Err(Malformed {
                            what: "a text string that is not UTF-8",
                            at: start,
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// After tag 2 or 3: the bignum, when the next item is a byte string of at most 16 bytes
    /// (ciborium reads only those as integers); otherwise nothing is consumed.
    fn bignum(&mut self, tag: u64) -> Res<Option<Big<'a>>> {
        let start = self.pos;
        let Head::Bytes(Some(n @ 0..=16)) = self.head()? else {
            self.pos = start;
            return Ok(None);
        };
        let digits = self.take(n)?;
        let first = digits.iter().position(|b| *b != 0).unwrap_or(digits.len());
        let magnitude = digits.get(first..).unwrap_or_default();
        let raw = magnitude
            .iter()
            .fold(0u128, |acc, b| acc << 8 | u128::from(*b));
        let small = u64::try_from(raw).is_ok();
        if tag == TAG_BIGPOS {
            return Ok(Some(match small {
                true => Big::Int(raw as i128),
                false => Big::Bytes(magnitude),
            }));
        }
        let Ok(raw) = i128::try_from(raw) else {
            return Err(Malformed {
                what: "a negative bignum beyond 128 bits",
                at: start,
            });
        };
        Ok(Some(match small {
            true => Big::Int(-1 - raw),
            false => Big::Bytes(magnitude),
        }))
    }

    /// Reads one item without building it.
    pub(crate) fn shape(&mut self) -> Res<Shape<'a>> {
        let head = self.head()?;
        self.shape_from(head)
    }

    /// Reads the rest of the item whose head was just read, without building it.
    pub(crate) fn shape_from(&mut self, head: Head) -> Res<Shape<'a>> {
        Ok(match head {
            Head::Pos(x) => Shape::Int(i128::from(x)),
            Head::Neg(x) => Shape::Int(-1 - i128::from(x)),
            Head::Bytes(len) => {
                self.bytes(len)?;
                Shape::Bytes
            }
            Head::Text(len) => Shape::Text(self.text(len)?),
            Head::Array(mut left) => {
                self.enter()?;
                while self.more(&mut left) {
                    self.shape()?;
                }
                self.leave();
                Shape::Array
            }
            Head::Map(mut left) => {
                self.enter()?;
                while self.more(&mut left) {
                    self.shape()?;
                    self.shape()?;
                }
                self.leave();
                Shape::Map
            }
            Head::Tag(tag) => match self.tagged_bignum(tag)? {
                Some(Big::Int(i)) => Shape::Int(i),
                Some(Big::Bytes(_)) => Shape::Tag(tag, Inner::Other),
                None => {
                    self.enter()?;
                    let inner = match self.shape()? {
                        Shape::Int(i) => Inner::Int(i),
                        Shape::Float(f) => Inner::Float(f),
                        _ => Inner::Other,
                    };
                    self.leave();
                    Shape::Tag(tag, inner)
                }
            },
            Head::Float(f) => Shape::Float(f),
            Head::Simple(20 | 21) => Shape::Bool,
            Head::Simple(22 | 23) => Shape::Null,
            Head::Simple(_) => return Err(self.malformed("an unassigned simple value")),
            Head::Break => return Err(self.malformed("a break outside an indefinite item")),
        })
    }

    fn tagged_bignum(&mut self, tag: u64) -> Res<Option<Big<'a>>> {
        match tag {
            TAG_BIGPOS | TAG_BIGNEG => self.bignum(tag),
            _ => Ok(None),
        }
    }

    /// Reads one item into JSON.
    pub(crate) fn json(&mut self) -> Res<Json> {
        let head = self.head()?;
        self.json_from(head)
    }

    /// Reads the rest of the item whose head was just read into JSON.
    pub(crate) fn json_from(&mut self, head: Head) -> Res<Json> {
        Ok(match head {
            Head::Pos(x) => Json::from(x),
            Head::Neg(x) => int_json(-1 - i128::from(x)),
            Head::Bytes(len) => Json::String(base64_std(&self.bytes(len)?)),
            Head::Text(len) => Json::String(self.text(len)?.into_owned()),
            Head::Array(mut left) => {
                self.enter()?;
                let mut items = Vec::with_capacity(capacity(left, self.left()));
                while self.more(&mut left) {
                    items.push(self.json()?);
                }
                self.leave();
                Json::Array(items)
            }
            Head::Map(left) => Json::Object(self.json_map(left)?),
            Head::Tag(tag) => match self.tagged_bignum(tag)? {
                Some(Big::Int(i)) => int_json(i),
                Some(Big::Bytes(b)) => Json::String(base64_std(b)),
                None => {
                    self.enter()?;
                    let inner = self.json()?;
                    self.leave();
                    inner
                }
            },
            Head::Float(f) => Number::from_f64(f).map_or(Json::Null, Json::Number),
            Head::Simple(20) => Json::Bool(false),
            Head::Simple(21) => Json::Bool(true),
            Head::Simple(22 | 23) => Json::Null,
            Head::Simple(_) => return Err(self.malformed("an unassigned simple value")),
            Head::Break => return Err(self.malformed("a break outside an indefinite item")),
        })
    }

    /// Reads one item as a [`Node`].
    pub(crate) fn node(&mut self) -> Res<Node<'a>> {
        let head = self.head()?;
        self.node_from(head)
    }

    /// [`Reader::json_from`], as a [`Node`].
    pub(crate) fn node_from(&mut self, head: Head) -> Res<Node<'a>> {
        Ok(match head {
            Head::Pos(x) => Node::Number(Number::from(x)),
            Head::Neg(x) => number_node(-1 - i128::from(x)),
            Head::Bytes(len) => Node::Text(Cow::Owned(base64_std(&self.bytes(len)?))),
            Head::Text(len) => Node::Text(self.text(len)?),
            Head::Array(mut left) => {
                self.enter()?;
                let mut items = Vec::with_capacity(capacity(left, self.left()));
                while self.more(&mut left) {
                    items.push(self.node()?);
                }
                self.leave();
                Node::Array(items)
            }
            Head::Map(left) => Node::Object(self.node_map(left)?),
            Head::Tag(tag) => match self.tagged_bignum(tag)? {
                Some(Big::Int(i)) => number_node(i),
                Some(Big::Bytes(b)) => Node::Text(Cow::Owned(base64_std(b))),
                None => {
                    self.enter()?;
                    let inner = self.node()?;
                    self.leave();
                    inner
                }
            },
            Head::Float(f) => Number::from_f64(f).map_or(Node::Null, Node::Number),
            Head::Simple(20) => Node::Bool(false),
            Head::Simple(21) => Node::Bool(true),
            Head::Simple(22 | 23) => Node::Null,
            Head::Simple(_) => return Err(self.malformed("an unassigned simple value")),
            Head::Break => return Err(self.malformed("a break outside an indefinite item")),
        })
    }

    /// [`Reader::json_map`], as an [`Object`].
    pub(crate) fn node_map(&mut self, mut left: Option<u64>) -> Res<Object<'a>> {
        self.enter()?;
        let mut entries = Vec::with_capacity(capacity(left, self.left() / 2));
        while self.more(&mut left) {
            let key = self.node_key()?;
            let value = self.node()?;
            entries.push((key, value));
        }
        self.leave();
        Ok(Object { entries })
    }

    /// [`Reader::json_key`], borrowing text keys.
    fn node_key(&mut self) -> Res<Cow<'a, str>> {
        let start = self.pos;
        if let Head::Text(len) = self.head()? {
            return self.text(len);
        }
        self.pos = start;
        Ok(Cow::Owned(self.json_key()?))
    }

    /// Reads the entries of the map whose head (`Head::Map(left)`) was just read into a JSON
    /// object.
    pub(crate) fn json_map(&mut self, mut left: Option<u64>) -> Res<Map<String, Json>> {
        self.enter()?;
        let mut map = Map::with_capacity(capacity(left, self.left() / 2));
        while self.more(&mut left) {
            let key = self.json_key()?;
            let value = self.json()?;
            map.insert(key, value);
        }
        self.leave();
        Ok(map)
    }

    /// A map key as JSON text: text as is, an integer in decimal, anything else as the JSON
    /// text of its conversion.
    fn json_key(&mut self) -> Res<String> {
        let head = self.head()?;
        let other = match head {
            Head::Text(len) => return Ok(self.text(len)?.into_owned()),
            Head::Pos(x) => return Ok(x.to_string()),
            Head::Neg(x) => return Ok((-1 - i128::from(x)).to_string()),
            Head::Tag(tag @ (TAG_BIGPOS | TAG_BIGNEG)) => match self.bignum(tag)? {
                Some(Big::Int(i)) => return Ok(i.to_string()),
                Some(Big::Bytes(b)) => Json::String(base64_std(b)),
                None => {
                    self.enter()?;
                    let inner = self.json()?;
                    self.leave();
                    inner
                }
            },
            _ => self.json_from(head)?,
        };
        Ok(other.to_string())
    }
}

/// An integer as [`int_json`] writes it, as a [`Node`].
fn number_node(i: i128) -> Node<'static> {
    match int_json(i) {
        Json::Number(n) => Node::Number(n),
        _ => Node::Null,
    }
}

/// Room to reserve for `left` entries: never more than the bytes that could hold them.
fn capacity(left: Option<u64>, bytes: usize) -> usize {
    left.map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX).min(bytes))
}

/// An integer as `to_json` writes one: i64, else u64, else the nearest float.
fn int_json(i: i128) -> Json {
    if let Ok(n) = i64::try_from(i) {
        Json::from(n)
    } else if let Ok(n) = u64::try_from(i) {
        Json::from(n)
    } else {
        Number::from_f64(i as f64).map_or(Json::Null, Json::Number)
    }
}

/// IEEE 754 binary16 → f64, exactly.
fn half(bits: u16) -> f64 {
    let negative = bits & 0x8000 != 0;
    let exponent = u64::from((bits >> 10) & 0x1F);
    let mantissa = u64::from(bits & 0x3FF);
    let magnitude = match exponent {
        // Subnormal: mantissa × 2⁻²⁴, exact in f64.
        0 => mantissa as f64 / 16_777_216.0,
        0x1F if mantissa == 0 => f64::INFINITY,
        0x1F => f64::from_bits(0x7FF8_0000_0000_0000 | mantissa << 42),
        e => f64::from_bits((e + 1023 - 15) << 52 | mantissa << 42),
    };
    if negative {
        -magnitude
    } else {
        magnitude
    }
}

fn base64_std(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_floats_match_ciborium() {
        for bits in 0..=u16::MAX {
            let bytes = [0xF9, (bits >> 8) as u8, bits as u8];
            let ours = Reader::new(&bytes).head().unwrap();
            let theirs: ciborium::Value = ciborium::from_reader(&bytes[..]).unwrap();
            let (Head::Float(a), ciborium::Value::Float(b)) = (ours, theirs) else {
                panic!("{bits:04x}: not a float");
            };
            assert!(
                a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                "{bits:04x}: {a} vs {b}"
            );
        }
    }

    #[test]
    fn lengths_are_not_trusted() {
        // An array, a map, a byte string and a text string each claiming 2⁶⁴ − 1 entries.
        for first in [0x9B, 0xBB, 0x5B, 0x7B] {
            let mut bytes = vec![first];
            bytes.extend([0xFF; 8]);
            bytes.push(0x00);
            assert!(to_json(&bytes).is_err());
        }
    }

    #[test]
    fn depth_limit_is_ciboriums() {
        for depth in [1, 15, 16, 17, 257, 300] {
            let mut bytes = vec![0x81u8; depth];
            bytes.push(0x00);
            let theirs = ciborium::de::from_reader_with_recursion_limit::<ciborium::Value, _>(
                &bytes[..],
                MAX_DEPTH,
            )
            .is_ok();
            assert_eq!(to_json(&bytes).is_ok(), theirs, "depth {depth}");
            assert_eq!(theirs, depth <= MAX_DEPTH);
        }
    }
}
