//! Maps byte offsets in a chapter's expanded text back to the author's source,
//! so that checks on the final Markdown report the line the author wrote.

/// A map from offsets in expanded text back to offsets in the author's text.
#[derive(Debug, Clone, Default)]
pub struct OffsetMap {
    /// (output start, source start, source length) of each replaced span, in order.
    replaced: Vec<(usize, usize, usize, usize)>,
}

impl OffsetMap {
    /// Record that source `src_start..src_start+src_len` became output
    /// `out_start..out_start+out_len`.
    pub fn replace(&mut self, out_start: usize, out_len: usize, src_start: usize, src_len: usize) {
        self.replaced.push((out_start, out_len, src_start, src_len));
    }

    /// The same map for an output that has `len` bytes of generated text
    /// inserted at its start (mapped to the source's start).
    pub fn with_prefix(self, len: usize) -> OffsetMap {
        let mut replaced = vec![(0, len, 0, 0)];
        replaced.extend(
            self.replaced
                .into_iter()
                .map(|(o, ol, s, sl)| (o + len, ol, s, sl)),
        );
        OffsetMap { replaced }
    }

    /// The source offset of output offset `out`.
    pub fn to_source(&self, out: usize) -> usize {
        // Walk the replaced spans before `out`, tracking the running shift.
        let mut shift: isize = 0;
        for &(o_start, o_len, s_start, s_len) in &self.replaced {
            if out < o_start {
                break;
            }
            if out < o_start + o_len {
                return s_start;
            }
            shift = (s_start + s_len) as isize - (o_start + o_len) as isize;
        }
        (out as isize + shift).max(0) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_around_replacements() {
        // source: "ab{{X}}cd" (X directive at 2..7) -> output "abLONGTEXTcd"
        let mut m = OffsetMap::default();
        m.replace(2, 8, 2, 5);
        assert_eq!(m.to_source(0), 0);
        assert_eq!(m.to_source(5), 2);
        assert_eq!(m.to_source(10), 7);
        assert_eq!(m.to_source(11), 8);
        let p = m.with_prefix(4);
        assert_eq!(p.to_source(1), 0);
        assert_eq!(p.to_source(4), 0);
        assert_eq!(p.to_source(5), 1);
        assert_eq!(p.to_source(15), 8);
    }
}
