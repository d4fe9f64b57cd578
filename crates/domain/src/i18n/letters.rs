//! The letters catalogue slice (督办函 and escalation).

pub static ZH_CN_LETTERS: &[(&str, &str)] = &[
    ("letter_state.issued", "已发出"),
    ("letter_state.withdrawn", "已撤回"),
    ("letter.already_withdrawn", "该函件已撤回，不能再次撤回"),
    (
        "letter.no_discipline_body",
        "{office}未设置纪委监委机构，不能发出问责建议函",
    ),
    ("letter.party_org", "党组织"),
    ("letter.addressee_party", "{org}{party}"),
    ("letter.addressee_principal", "{org}{party}主要负责人"),
    ("field.talk_time", "约谈时间"),
    ("field.talk_place", "约谈地点"),
];
