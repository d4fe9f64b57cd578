use super::*;

fn s(v: &str) -> String {
    v.to_string()
}

fn full_doc() -> OfficialDoc {
    OfficialDoc {
        issuer: Some(s("中共江岭省委巡察工作领导小组办公室")),
        doc_number: Some(s("江巡办〔2026〕3号")),
        marking: Some(s("内部资料 注意保密")),
        title: s("关于巡察省财政厅党组的反馈意见"),
        recipient: Some(s("江岭省财政厅党组：")),
        blocks: vec![
            Block::Paragraph(s(
                "根据省委统一部署，省委第三巡察组于2026年9月对省财政厅党组开展了常规巡察。",
            )),
            Block::Heading1(s("一、巡察发现的主要问题")),
            Block::Heading2(s("（一）贯彻落实党的路线方针政策不够到位")),
            Block::Heading3(s("1．专项资金管理不规范")),
            Block::Paragraph(s("第一段 A&B <x>\n\n第二段，含“引号”")),
            Block::Table {
                headers: vec![s("序号"), s("问题描述"), s("责任单位"), s("整改时限")],
                rows: vec![
                    vec![s("1"), s("专项资金拨付滞后"), s("预算处"), s("2026年12月")],
                    vec![s("2"), s("政府采购程序不规范"), s("采购办"), s("2027年1月")],
                    vec![s("3"), s("制度执行不严"), s("办公室")],
                ],
            },
            Block::PageBreak,
            Block::Field {
                label: s("问题来源"),
                value: s("个别谈话\t第12号"),
            },
            Block::Field {
                label: s("发现人："),
                value: s("张三\n李四"),
            },
        ],
        signature: Some(s("中共江岭省委第三巡察组")),
        date: Some(s("2026年11月22日")),
        copy_to: Some(s("省纪委监委，省委组织部。")),
    }
}

fn document_xml(bytes: &[u8]) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .expect("document.xml")
        .read_to_string(&mut xml)
        .expect("utf-8");
    xml
}

/// Attributes of every element named `name` (qualified, e.g. "w:pgSz") in document order.
fn elements(xml: &str, name: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut found = Vec::new();
    loop {
        match reader.read_event().expect("well-formed xml") {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == name => {
                found.push(
                    e.attributes()
                        .map(|a| {
                            let a = a.expect("attribute");
                            (a.key.as_ref().to_string(), a.value.to_string())
                        })
                        .collect(),
                );
            }
            Event::Eof => break,
            _ => {}
        }
    }
    found
}

fn attr<'a>(e: &'a std::collections::HashMap<String, String>, k: &str) -> &'a str {
    e.get(k).map_or("", String::as_str)
}

#[test]
fn every_block_comes_back_in_order() {
    let bytes = render(&full_doc()).expect("render");
    let texts = extract_text(&bytes).expect("extract");
    let expected = [
        "内部资料 注意保密",
        "中共江岭省委巡察工作领导小组办公室",
        "江巡办〔2026〕3号",
        "关于巡察省财政厅党组的反馈意见",
        "江岭省财政厅党组：",
        "根据省委统一部署，省委第三巡察组于2026年9月对省财政厅党组开展了常规巡察。",
        "一、巡察发现的主要问题",
        "（一）贯彻落实党的路线方针政策不够到位",
        "1．专项资金管理不规范",
        "第一段 A&B <x>",
        "第二段，含“引号”",
        "序号",
        "问题描述",
        "责任单位",
        "整改时限",
        "1",
        "专项资金拨付滞后",
        "预算处",
        "2026年12月",
        "2",
        "政府采购程序不规范",
        "采购办",
        "2027年1月",
        "3",
        "制度执行不严",
        "办公室",
        "", // the short row is padded to four cells
        "问题来源：个别谈话\t第12号",
        "发现人：张三\n李四",
        "中共江岭省委第三巡察组",
        "2026年11月22日",
        "抄送：省纪委监委，省委组织部。",
        "", // Word wants a paragraph after the final table
    ];
    assert_eq!(texts, expected);
}

#[test]
fn page_setup_and_fonts_follow_gb_t_9704() {
    let bytes = render(&full_doc()).expect("render");
    let xml = document_xml(&bytes);

    let size = elements(&xml, "w:pgSz");
    assert_eq!(size.len(), 1);
    assert_eq!(attr(&size[0], "w:w"), "11906");
    assert_eq!(attr(&size[0], "w:h"), "16838");
    let margin = elements(&xml, "w:pgMar");
    assert_eq!(margin.len(), 1);
    assert_eq!(attr(&margin[0], "w:top"), "2098"); // 37 mm
    assert_eq!(attr(&margin[0], "w:bottom"), "1984"); // 35 mm
    assert_eq!(attr(&margin[0], "w:left"), "1587"); // 28 mm
    assert_eq!(attr(&margin[0], "w:right"), "1474"); // 26 mm

    let east_asia: Vec<String> = elements(&xml, "w:rFonts")
        .iter()
        .map(|f| attr(f, "w:eastAsia").to_string())
        .collect();
    for font in ["仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312"] {
        assert!(east_asia.iter().any(|f| f == font), "{font} missing");
    }
    // Every run names its east-Asian font.
    assert!(east_asia.iter().all(|f| !f.is_empty()));

    // Body paragraphs: exact 28.95 pt pitch and a two-character first-line indent.
    let spacing = elements(&xml, "w:spacing");
    assert!(
        spacing
            .iter()
            .any(|s| attr(s, "w:line") == "579" && attr(s, "w:lineRule") == "exact")
    );
    assert!(
        elements(&xml, "w:ind")
            .iter()
            .any(|i| attr(i, "w:firstLine") == "640")
    );

    // The red issuer and exactly one rule under the header: a red bottom border only.
    assert!(
        elements(&xml, "w:color")
            .iter()
            .any(|c| attr(c, "w:val") == "FF0000")
    );
    let borders = elements(&xml, "w:pBdr");
    assert_eq!(borders.len(), 1);
    let bottoms = elements(&xml, "w:bottom");
    assert!(
        bottoms
            .iter()
            .any(|b| attr(b, "w:color") == "FF0000" && attr(b, "w:val") == "single")
    );
    for side in ["w:left", "w:right", "w:top"] {
        assert!(
            elements(&xml, side)
                .iter()
                .all(|b| attr(b, "w:color") != "auto"),
            "unexpected {side} paragraph border"
        );
    }

    // The new page before the first Field.
    assert_eq!(elements(&xml, "w:pageBreakBefore").len(), 1);
}

#[test]
fn page_numbers_are_fields_on_odd_and_even_footers() {
    let bytes = render(&full_doc()).expect("render");
    let settings = read_part(&bytes, "word/settings.xml").expect("settings");
    assert_eq!(elements(&settings, "w:evenAndOddHeaders").len(), 1);
    let mut aligns = Vec::new();
    for part in ["word/footer1.xml", "word/footer2.xml"] {
        let xml = read_part(&bytes, part).expect("footer");
        assert!(xml.contains("<w:instrText>PAGE</w:instrText>"), "{part}");
        assert_eq!(paragraph_texts(&xml).expect("text"), ["— 1 —"]);
        aligns.extend(
            elements(&xml, "w:jc")
                .iter()
                .map(|j| attr(j, "w:val").to_string()),
        );
    }
    assert_eq!(aligns, ["right", "left"]);
}

#[test]
fn absent_parts_produce_no_paragraphs() {
    let doc = OfficialDoc {
        doc_number: Some(s("  ")),
        title: s("关于开展巡察整改“回头看”的通知"),
        blocks: vec![
            Block::Paragraph(s("各有关单位：请按要求报送材料。")),
            Block::Heading1(s(" ")),
            Block::Table {
                headers: vec![],
                rows: vec![],
            },
        ],
        signature: Some(String::new()),
        ..OfficialDoc::default()
    };
    let bytes = render(&doc).expect("render");
    assert_eq!(
        extract_text(&bytes).expect("extract"),
        [
            "关于开展巡察整改“回头看”的通知",
            "各有关单位：请按要求报送材料。"
        ]
    );
    let xml = document_xml(&bytes);
    assert!(elements(&xml, "w:color").is_empty(), "no red header");
    assert!(elements(&xml, "w:pBdr").is_empty(), "no header rule");
    assert!(elements(&xml, "w:tbl").is_empty());
    // With nothing above it, the title starts at the top of the 版心.
    assert_eq!(attr(&elements(&xml, "w:spacing")[0], "w:before"), "0");
}

#[test]
fn tables_shrink_with_columns_and_never_merge() {
    let wide = Block::Table {
        headers: (1..=8).map(|i| format!("列{i}")).collect(),
        rows: vec![(1..=8).map(|i| format!("值{i}")).collect()],
    };
    let doc = OfficialDoc {
        title: s("问题清单"),
        blocks: vec![
            wide.clone(),
            wide,
            Block::PageBreak,
            Block::Table {
                headers: vec![],
                rows: vec![vec![s("无表头")]],
            },
        ],
        ..OfficialDoc::default()
    };
    let bytes = render(&doc).expect("render");
    let xml = document_xml(&bytes);
    assert_eq!(elements(&xml, "w:tbl").len(), 3);
    // 8 columns: 五号 (10.5 pt).
    assert!(
        elements(&xml, "w:sz")
            .iter()
            .any(|z| attr(z, "w:val") == "21")
    );
    // Grid columns fill the 版心 width exactly.
    let grid: Vec<i32> = elements(&xml, "w:gridCol")
        .iter()
        .map(|g| attr(g, "w:w").parse().expect("number"))
        .collect();
    assert_eq!(grid.len(), 8 + 8 + 1);
    assert_eq!(grid[..8].iter().sum::<i32>(), TEXT_WIDTH);
    assert_eq!(grid[16], TEXT_WIDTH);
    // A separator paragraph between the tables, and one carrying the page break.
    assert_eq!(elements(&xml, "w:pageBreakBefore").len(), 1);
    let texts = extract_text(&bytes).expect("extract");
    let empty: Vec<usize> = (0..texts.len()).filter(|&i| texts[i].is_empty()).collect();
    // Title, 16 cells, separator, 16 cells, page-break paragraph, 1 cell, final paragraph.
    assert_eq!(texts.len(), 37);
    assert_eq!(empty, [17, 34, 36]);
    assert_eq!((texts[1].as_str(), texts[35].as_str()), ("列1", "无表头"));
}

#[test]
fn signature_is_centred_over_the_date() {
    let mut w = Writer::default();
    closing(&mut w, &full_doc());
    let rights: Vec<i32> = w
        .body
        .iter()
        .filter_map(|e| match e {
            Element::Para(p) => Some(p.right),
            Element::Table(_) => None,
        })
        .collect();
    // Date: 4 characters in. Signature (11 chars) centred over the date (7 chars wide).
    assert_eq!(rights, [4 * CHAR_3 - 2 * CHAR_3, 4 * CHAR_3]);
}

#[test]
fn issuer_is_fitted_to_one_line() {
    assert_eq!(issuer_font("巡察办"), (60, 100));
    assert_eq!(issuer_font("中共江岭省委巡察工作领导小组办公室"), (52, 100));
    let (size, scale) = issuer_font(&"巡".repeat(40));
    assert_eq!(size, 44);
    assert!(scale < 100 && 40 * 22 * 20 * scale / 100 <= TEXT_WIDTH);
}

#[test]
fn control_characters_are_dropped() {
    let doc = OfficialDoc {
        title: s("标题\u{1}\u{FFFF}"),
        blocks: vec![Block::Paragraph(s("正\u{0}文\r\n第二行"))],
        ..OfficialDoc::default()
    };
    let texts = extract_text(&render(&doc).expect("render")).expect("extract");
    assert_eq!(texts, ["标题", "正文", "第二行"]);
}

#[test]
fn reader_rejects_non_docx() {
    assert!(matches!(
        extract_text(b"not a zip"),
        Err(OfficeError::Unreadable(_))
    ));
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file("other.xml", zip::write::SimpleFileOptions::default())
        .expect("start");
    std::io::Write::write_all(&mut zip, b"<x/>").expect("write");
    let bytes = zip.finish().expect("finish").into_inner();
    assert!(matches!(
        extract_text(&bytes),
        Err(OfficeError::Unreadable(_))
    ));
}

#[test]
fn reader_handles_entities_and_nested_markup() {
    let xml = r#"<w:document xmlns:w="w"><w:body>
        <w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>
          <w:r><w:t>a&amp;b&#x4E2D;</w:t><w:tab/><w:t><![CDATA[<c>]]></w:t></w:r>
          <w:r><w:br w:type="page"/><w:instrText>PAGE</w:instrText><w:t>d</w:t></w:r></w:p>
        <w:p/>
        </w:body></w:document>"#;
    assert_eq!(paragraph_texts(xml).expect("parse"), ["a&b中\t<c>d", ""]);
}
