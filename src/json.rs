//! The JSON text that results cross the wasm boundary as (parsed by the JS engine's
//! `JSON.parse`): a minimal `serde` serializer in place of `serde_json`, for code size.
//!
//! Kept because it is measurably smaller. Re-measured on 2026-12-06 (AMD EPYC, 2 vCPU; the
//! core of commit be1e1a6) with `ryu/small` on for both (`bash scripts/build-wasm.sh`, the
//! shipped builds; only `wasm.rs`'s `to_string` swapped for `serde_json::to_string` with
//! `default-features = false, features = ["alloc"]`):
//! with `serde_json` the SIMD128 module is 507,058 B raw / 214,958 B `gzip -9`, with this file
//! 497,983 / 205,759 (9,075 B raw and 9,199 B gzip less); the relaxed build 505,195 / 215,939
//! against 496,124 / 206,232 (9,071 and 9,707 B less). `serde_json` brings its general writer,
//! its number formatting and its error machinery; the results need none of that.
//! `serde-json-core` 0.6 (maps and `#[serde(flatten)]` work; it writes into a caller-sized
//! slice, here one doubled until the text fits) measured the same way: 506,380 / 209,697 B
//! and 504,520 / 210,150 B, 3,938 and 3,918 B gzip more than this file.
//!
//! f32s are written by `ryu` (shortest round-trip digits), integers by `itoa`, f64s (prices,
//! times) and strings by hand.
//! After `JSON.parse` the values are the same as with `serde_json`: the same shortest digits
//! for every float (`1e-7` and `0.0000001` parse to the same number), `null` for non-finite
//! floats, the same strings (escapes differ only where both spellings mean the same).

use std::fmt::{self, Write as _};

use serde::ser::{self, Serialize};

/// Serializes `value` to JSON text.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    let mut writer = Writer { out: String::with_capacity(256) };
    value.serialize(&mut writer)?;
    Ok(writer.out)
}

/// Why a value could not be written (a `Serialize` impl failed, or a map key is not a string).
#[derive(Debug)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Error {
        Error(msg.to_string())
    }
}

struct Writer {
    out: String,
}

impl Writer {
    fn integer<I: itoa::Integer>(&mut self, v: I) {
        self.out.push_str(itoa::Buffer::new().format(v));
    }

    fn string(&mut self, s: &str) {
        /// For each byte: 0 if it stands for itself, else the letter of its escape
        /// (`u`: `\u00XX`).
        static ESCAPE: [u8; 256] = {
            let mut table = [0u8; 256];
            let mut b = 0;
            while b < 0x20 {
                table[b] = b'u';
                b += 1;
            }
            table[0x08] = b'b';
            table[0x09] = b't';
            table[0x0a] = b'n';
            table[0x0c] = b'f';
            table[0x0d] = b'r';
            table[b'"' as usize] = b'"';
            table[b'\\' as usize] = b'\\';
            table
        };
        self.out.push('"');
        let bytes = s.as_bytes();
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let escape = ESCAPE[usize::from(b)];
            if escape == 0 {
                continue;
            }
            // `i` is at an ASCII byte, so both slices end on character boundaries.
            self.out.push_str(&s[start..i]);
            self.out.push('\\');
            self.out.push(char::from(escape));
            if escape == b'u' {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                self.out.push_str("00");
                self.out.push(char::from(HEX[usize::from(b >> 4)]));
                self.out.push(char::from(HEX[usize::from(b & 15)]));
            }
            start = i + 1;
        }
        self.out.push_str(&s[start..]);
        self.out.push('"');
    }

    fn f32(&mut self, v: f32) {
        if v.is_finite() {
            self.out.push_str(ryu::Buffer::new().format_finite(v));
        } else {
            self.out.push_str("null");
        }
    }

    /// An f64: times are whole and prices have at most 4 decimals, so the value is written as
    /// `m / 10^4` (trailing zeros dropped) when that division gives it back exactly (then
    /// `JSON.parse` of the digits, which rounds correctly, gives it back too); other values with
    /// their shortest round-trip digits.
    fn f64(&mut self, v: f64) {
        const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53: integers below are exact
        if !v.is_finite() {
            self.out.push_str("null");
            return;
        }
        let m = (v * 1e4).round();
        if v.abs() < EXACT && v.fract() == 0.0 || m.abs() < EXACT && m / 1e4 == v {
            if v.is_sign_negative() {
                self.out.push('-');
            }
            if v.fract() == 0.0 {
                self.integer(v.abs() as u64);
                return;
            }
            let m = m.abs() as u64;
            self.integer(m / 10_000);
            let mut frac = m % 10_000;
            let mut digits = *b".0000";
            for d in digits[1..].iter_mut().rev() {
                *d = b'0' + (frac % 10) as u8;
                frac /= 10;
            }
            let mut len = digits.len();
            while digits[len - 1] == b'0' {
                len -= 1;
            }
            self.out.push_str(std::str::from_utf8(&digits[..len]).unwrap_or_default());
            return;
        }
        // Rare (no result field holds such a value today): core's formatter, already in the
        // module for error messages, writes the same shortest digits in positional notation.
        let _ = write!(self.out, "{v}");
    }

    /// Opens `{"variant":` for the enum variants that carry data.
    fn variant_key(&mut self, variant: &str) {
        self.out.push('{');
        self.string(variant);
        self.out.push(':');
    }
}

/// An array or object being written: puts the commas in and the closing bracket(s) on.
#[doc(hidden)]
pub struct Compound<'a> {
    w: &'a mut Writer,
    first: bool,
    close: &'static str,
}

impl Compound<'_> {
    fn comma(&mut self) {
        if self.first {
            self.first = false;
        } else {
            self.w.out.push(',');
        }
    }

    fn end(self) -> Result<(), Error> {
        self.w.out.push_str(self.close);
        Ok(())
    }
}

impl Writer {
    fn open(&mut self, open: &str, close: &'static str) -> Compound<'_> {
        self.out.push_str(open);
        Compound { w: self, first: true, close }
    }
}

/// `Serializer` methods that write one integer each.
macro_rules! integers {
    ($($method:ident: $t:ty),*) => {$(
        fn $method(self, v: $t) -> Result<(), Error> {
            self.integer(v);
            Ok(())
        }
    )*};
}

impl<'a> ser::Serializer for &'a mut Writer {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.out.push_str(if v { "true" } else { "false" });
        Ok(())
    }
    integers!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64);
    integers!(serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64);
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.f32(v);
        Ok(())
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.f64(v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.string(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.string(v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        let mut seq = self.open("[", "]");
        for &b in v {
            seq.comma();
            seq.w.integer(b);
        }
        seq.end()
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.out.push_str("null");
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result<(), Error> {
        self.string(variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.variant_key(variant);
        value.serialize(&mut *self)?;
        self.out.push('}');
        Ok(())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'a>, Error> {
        Ok(self.open("[", "]"))
    }
    fn serialize_tuple(self, _len: usize) -> Result<Compound<'a>, Error> {
        Ok(self.open("[", "]"))
    }
    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<Compound<'a>, Error> {
        Ok(self.open("[", "]"))
    }
    fn serialize_tuple_variant(self, _name: &'static str, _index: u32, variant: &'static str, _len: usize) -> Result<Compound<'a>, Error> {
        self.variant_key(variant);
        Ok(self.open("[", "]}"))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'a>, Error> {
        Ok(self.open("{", "}"))
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Compound<'a>, Error> {
        Ok(self.open("{", "}"))
    }
    fn serialize_struct_variant(self, _name: &'static str, _index: u32, variant: &'static str, _len: usize) -> Result<Compound<'a>, Error> {
        self.variant_key(variant);
        Ok(self.open("{", "}}"))
    }
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.comma();
        value.serialize(&mut *self.w)
    }
    fn end(self) -> Result<(), Error> {
        Compound::end(self)
    }
}

/// Tuples, tuple structs and tuple variants are written as arrays, element by element.
macro_rules! as_seq {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                ser::SerializeSeq::serialize_element(self, value)
            }
            fn end(self) -> Result<(), Error> {
                Compound::end(self)
            }
        }
    )*};
}

as_seq!(SerializeTuple::serialize_element, SerializeTupleStruct::serialize_field, SerializeTupleVariant::serialize_field);

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.comma();
        let at = self.w.out.len();
        key.serialize(&mut *self.w)?;
        if !self.w.out[at..].starts_with('"') {
            return Err(Error("a map key is not a string".to_owned()));
        }
        self.w.out.push(':');
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut *self.w)
    }
    fn end(self) -> Result<(), Error> {
        Compound::end(self)
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        self.comma();
        self.w.string(key);
        self.w.out.push(':');
        value.serialize(&mut *self.w)
    }
    fn end(self) -> Result<(), Error> {
        Compound::end(self)
    }
}

impl ser::SerializeStructVariant for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        ser::SerializeStruct::serialize_field(self, key, value)
    }
    fn end(self) -> Result<(), Error> {
        Compound::end(self)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Serialize;
    use serde_json::Value;

    /// What `JSON.parse` would see: the text parsed back, with every number read as an f64 by
    /// a correctly rounding parser (as in JS) and kept as its bits, in a string.
    fn parsed(text: &str) -> Value {
        let mut canonical = String::new();
        let (mut in_string, mut escaped, mut number) = (false, false, String::new());
        for c in text.chars().chain(std::iter::once(' ')) {
            if in_string {
                canonical.push(c);
                (escaped, in_string) = (!escaped && c == '\\', escaped || c != '"');
            } else if c == '-' || c == '+' || c == '.' || c.is_ascii_alphanumeric() && !(number.is_empty() && c.is_ascii_alphabetic()) {
                number.push(c);
            } else {
                if !number.is_empty() {
                    let value: f64 = number.parse().unwrap_or_else(|e| panic!("{number}: {e}"));
                    canonical.push_str(&format!("\"{:x}\"", value.to_bits()));
                    number.clear();
                }
                canonical.push(c);
                in_string = c == '"';
            }
        }
        serde_json::from_str(&canonical).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    }

    /// Our text parses to the same value as `serde_json`'s.
    fn same<T: Serialize>(value: &T) {
        let ours = super::to_string(value).expect("serializes");
        let theirs = serde_json::to_string(value).expect("serde_json serializes");
        assert_eq!(parsed(&ours), parsed(&theirs), "ours {ours}, serde_json {theirs}");
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Card {
        item_id: String,
        price: f64,
        in_stock: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        share: Option<f32>,
        count: Option<u32>,
    }

    #[derive(Serialize)]
    struct Flat {
        #[serde(flatten)]
        card: Card,
        score: f32,
        kind: Kind,
    }

    #[derive(Serialize)]
    #[serde(rename_all = "kebab-case")]
    enum Kind {
        ForYou,
        #[allow(dead_code)]
        BoughtTogether,
    }

    #[derive(Serialize)]
    struct Pair(i32, i32);

    #[derive(Serialize)]
    enum Data {
        New(u8),
        Pair(i32, i32),
        Named { a: f32, b: String },
    }

    #[test]
    fn numbers_read_back_as_serde_json_wrote_them() {
        let floats = [0.0f32, -0.0, 0.1, 1.0, 3.5, -17.49, 1e-7, 1.5e-45, 3.4028235e38, 123456.79, 0.333_333_34, f32::NAN, f32::INFINITY];
        for f in floats {
            same(&f);
            same(&f64::from(f));
        }
        for f in [
            17.49f64,
            17.5,
            0.07,
            -0.0005,
            0.00005,
            0.99995,
            123.0001,
            -3.25,
            1234.5678,
            0.1 + 0.2,
            1e15 + 0.25,
            9_007_199_254_740_991.0,
            9_007_199_254_740_993.0,
            1e300,
            1.7e-308,
            5e-324,
            1_700_000_000_000.0,
            -2.5,
            -0.0,
            f64::NEG_INFINITY,
        ] {
            same(&f);
        }
        for i in [0i64, 7, -7, i64::MIN, i64::MAX] {
            same(&i);
        }
        for u in [0u64, 9, 10, 99, 100, u64::MAX] {
            same(&u);
        }
        same(&[1u8, 2, 255]);
        same(&usize::MAX);
    }

    #[test]
    fn strings_read_back_as_serde_json_wrote_them() {
        for s in [
            "",
            "plain",
            "quote \" and backslash \\",
            "tab\tnew\nline\r",
            "\u{0}\u{1}\u{8}\u{c}\u{1f}\u{7f}",
            "ünïcödé “quotes” 🕯",
            "\u{2028}\u{2029}",
            "</script>",
        ] {
            same(&s);
            same(&s.to_owned());
        }
        same(&'x');
        same(&'"');
    }

    #[test]
    fn structures_read_back_as_serde_json_wrote_them() {
        let card = Card { item_id: "a\"1".into(), price: 17.49, in_stock: true, share: None, count: Some(3) };
        same(&card);
        same(&Flat { card, score: 0.75, kind: Kind::ForYou });
        same(&vec![Data::New(1), Data::Pair(-1, 2), Data::Named { a: 0.5, b: "x".into() }]);
        same(&(1u8, "two", 3.0f32));
        same(&Pair(3, -4));
        same(&Option::<u8>::None);
        same(&Vec::<u32>::new());
        same(&());
        let mut map = BTreeMap::new();
        map.insert("b", vec![1.5f32]);
        map.insert("a", vec![]);
        same(&map);
    }

    #[test]
    fn a_map_with_number_keys_is_an_error_not_bad_json() {
        let mut map = BTreeMap::new();
        map.insert(1u32, 2u32);
        assert!(super::to_string(&map).is_err());
    }
}
