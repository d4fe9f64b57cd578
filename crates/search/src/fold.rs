//! Text folding, the same at index and at query time: full-width → half-width, scraped pinyin
//! in parentheses dropped ("推進(jìn)" → "推進"), traditional → simplified (OpenCC t2s),
//! lower case, punctuation → space, runs of spaces → one.

use std::sync::LazyLock;

use ferrous_opencc::OpenCC;
use ferrous_opencc::config::BuiltinConfig;

static T2S: LazyLock<Option<OpenCC>> = LazyLock::new(|| {
    OpenCC::from_config(BuiltinConfig::T2s)
        .map_err(|e| tracing::error!(error = %e, "opencc t2s"))
        .ok()
});

/// Loads the conversion tables (otherwise the first fold pays for it).
pub fn warm_up() {
    LazyLock::force(&T2S);
}

/// Folds `text` for indexing and matching.
pub fn fold(text: &str) -> String {
    let half = to_half_width(text);
    let stripped = strip_pinyin(&half);
    let simplified = to_simplified(&stripped);
    let mut out = String::with_capacity(simplified.len());
    let mut space = true;
    for c in simplified.chars().flat_map(char::to_lowercase) {
        if is_separator(c) {
            if !space {
                out.push(' ');
                space = true;
            }
        } else {
            out.push(c);
            space = false;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Traditional → simplified characters (OpenCC t2s: phrases first, then characters).
pub fn to_simplified(text: &str) -> String {
    match T2S.as_ref() {
        Some(cc) => cc.convert(text),
        None => text.to_string(),
    }
}

/// Full-width ASCII forms (Ａ, １, （, ，…) and the ideographic space → their ASCII forms.
pub fn to_half_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Punctuation, symbols and spaces: they separate words and never match.
fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || c.is_ascii_punctuation()
        || matches!(
            c,
            '，' | '。'
                | '、'
                | '；'
                | '：'
                | '？'
                | '！'
                | '“'
                | '”'
                | '‘'
                | '’'
                | '《'
                | '》'
                | '〈'
                | '〉'
                | '「'
                | '」'
                | '『'
                | '』'
                | '【'
                | '】'
                | '〔'
                | '〕'
                | '（'
                | '）'
                | '—'
                | '–'
                | '…'
                | '·'
                | '•'
                | '～'
                | '￥'
        )
        || (c.is_control())
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}')
}

fn is_tone_vowel(c: char) -> bool {
    "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ".contains(c)
}

fn is_pinyin_letter(c: char) -> bool {
    c.is_ascii_lowercase() || is_tone_vowel(c) || c == 'ü'
}

/// Drops a parenthesised pinyin reading scraped into the text after a Chinese character:
/// "推進(jìn)" → "推進", "落实(luò shí)" → "落实". Only lower-case pinyin letters and spaces
/// inside, and either a tone mark or a Chinese character just before, so "(A)", "(2026)" and
/// "(试行)" stay.
pub fn strip_pinyin(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if (c == '(' || c == '（')
            && let Some(len) = pinyin_group(&chars[i + 1..])
        {
            let after_cjk = i > 0 && is_cjk(chars[i - 1]);
            let inner = &chars[i + 1..i + 1 + len];
            let toned = inner.iter().any(|&c| is_tone_vowel(c));
            if toned || (after_cjk && inner.len() <= 12) {
                i += len + 2;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

/// The length of a pinyin group ending in a closing parenthesis, if `rest` starts with one.
fn pinyin_group(rest: &[char]) -> Option<usize> {
    let mut letters = 0;
    for (n, &c) in rest.iter().enumerate() {
        if c == ')' || c == '）' {
            return (letters > 0 && n <= 40).then_some(n);
        }
        if is_pinyin_letter(c) {
            letters += 1;
        } else if c != ' ' {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional_with_scraped_pinyin_folds_to_simplified() {
        assert_eq!(fold("推進(jìn)"), "推进");
        assert_eq!(fold("推进"), "推进");
        assert_eq!(fold("推進（jìn）全面從嚴治黨"), "推进全面从严治党");
        assert_eq!(fold("落實(luò shí)"), "落实");
    }

    #[test]
    fn opencc_phrases_are_right() {
        assert_eq!(fold("關於"), "关于");
        assert_eq!(to_simplified("後臺處理資料"), "后台处理资料");
    }

    #[test]
    fn full_width_and_case_fold() {
        assert_eq!(to_half_width("ＡＢＣ１２３（）"), "ABC123()");
        assert_eq!(fold("ＡＢＣ　财政局"), "abc 财政局");
        assert_eq!(fold("Excel表"), "excel表");
    }

    #[test]
    fn punctuation_separates() {
        assert_eq!(fold("违规，发放“津补贴”。"), "违规 发放 津补贴");
        assert_eq!(fold("  a--b  "), "a b");
    }

    #[test]
    fn parentheses_that_are_not_pinyin_stay() {
        assert_eq!(strip_pinyin("办法(试行)"), "办法(试行)");
        assert_eq!(strip_pinyin("第(2026)号"), "第(2026)号");
        assert_eq!(strip_pinyin("Part (A) x"), "Part (A) x");
        assert_eq!(strip_pinyin("see (abc) x"), "see (abc) x");
        // After a Chinese character, untoned lower-case letters are a reading too.
        assert_eq!(strip_pinyin("推进(jin)"), "推进");
    }
}
