//! The query language: words (all must match), "exact phrases" (ASCII or Chinese quotes) and
//! prefixes (a trailing `*`). Each part is folded like the indexed text.

use crate::fold::fold;

/// One part of a query, folded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub text: String,
    pub phrase: bool,
    pub prefix: bool,
}

fn is_open_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '「' | '『' | '＂')
}

fn is_close_quote(c: char) -> bool {
    matches!(c, '"' | '”' | '」' | '』' | '＂')
}

/// Splits a query into its parts. An unclosed quote runs to the end.
pub fn parse(q: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut word = String::new();
    let mut chars = q.chars();
    let flush = |word: &mut String, parts: &mut Vec<Part>| {
        let w = std::mem::take(word);
        let trimmed = w.trim();
        let prefix = trimmed.ends_with('*') || trimmed.ends_with('＊');
        let body = trimmed.trim_end_matches(['*', '＊']);
        let text = fold(body);
        if !text.is_empty() {
            parts.push(Part {
                text,
                phrase: false,
                prefix,
            });
        }
    };
    while let Some(c) = chars.next() {
        if is_open_quote(c) {
            flush(&mut word, &mut parts);
            let mut phrase = String::new();
            for c in chars.by_ref() {
                if is_close_quote(c) {
                    break;
                }
                phrase.push(c);
            }
            let text = fold(&phrase);
            if !text.is_empty() {
                parts.push(Part {
                    text,
                    phrase: true,
                    prefix: false,
                });
            }
        } else if c.is_whitespace() {
            flush(&mut word, &mut parts);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut parts);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str, phrase: bool, prefix: bool) -> Part {
        Part {
            text: text.into(),
            phrase,
            prefix,
        }
    }

    #[test]
    fn words_phrases_and_prefixes() {
        assert_eq!(
            parse("推進(jìn) “违规发放 津补贴” 财政*"),
            vec![
                p("推进", false, false),
                p("违规发放 津补贴", true, false),
                p("财政", false, true)
            ]
        );
        assert_eq!(parse("\"三公经费"), vec![p("三公经费", true, false)]);
        assert_eq!(parse("  ，。 "), vec![]);
    }
}
