//! The demo province: a plausible, fictional province generated from a seed.
//!
//! The same seed always gives the same province (organisations, names and accounts), so demos,
//! screenshots and tests are reproducible.

use crate::org::{OrgKind, PartyOrgKind};
use crate::perm;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "Xuncha@2026";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOrg {
    pub code: String,
    pub parent_code: Option<String>,
    pub name: String,
    pub kind: OrgKind,
    pub party_org_kind: Option<PartyOrgKind>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    pub username: String,
    pub display_name: String,
    pub role: &'static str,
    pub org_code: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoProvince {
    pub orgs: Vec<DemoOrg>,
    pub accounts: Vec<DemoAccount>,
}

/// SplitMix64: small, fast and deterministic; enough for picking names.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let n = u64::try_from(items.len()).unwrap_or(1).max(1);
        items[usize::try_from(self.next() % n).unwrap_or(0)]
    }
}

const CITY_NAMES: &[&str] = &[
    "青山", "白水", "金川", "临江", "云台", "安平", "望海", "枫林",
];
const PLACE_A: &[&str] = &[
    "东", "西", "南", "北", "清", "安", "永", "长", "平", "宁", "和", "兴", "丰", "隆", "泰", "富",
    "桂", "柳", "石", "梅",
];
const PLACE_B: &[&str] = &[
    "阳", "宁", "安", "平", "源", "川", "山", "水", "溪", "河", "城", "林", "岭", "湖", "桥", "塘",
];
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超",
    "秀英", "建华", "志强", "海燕", "晓东", "国庆", "红梅", "文军", "丽娟",
];
const PROVINCE_DEPTS: &[&str] = &[
    "纪委监委",
    "组织部",
    "宣传部",
    "发展和改革委员会",
    "财政厅",
    "教育厅",
    "卫生健康委员会",
    "住房和城乡建设厅",
    "农业农村厅",
    "自然资源厅",
];
const CITY_DEPTS: &[&str] = &[
    "纪委监委",
    "组织部",
    "宣传部",
    "财政局",
    "教育局",
    "农业农村局",
];
const COUNTY_DEPTS: &[&str] = &["纪委监委", "组织部", "财政局", "农业农村局"];

/// The size of the generated province.
#[derive(Debug, Clone, Copy)]
pub struct DemoSize {
    pub cities: usize,
    pub counties_per_city: usize,
    pub townships_per_county: usize,
    pub villages_per_township: usize,
}

impl Default for DemoSize {
    fn default() -> Self {
        DemoSize {
            cities: 4,
            counties_per_city: 3,
            townships_per_county: 4,
            villages_per_township: 5,
        }
    }
}

struct Builder {
    rng: Rng,
    orgs: Vec<DemoOrg>,
    accounts: Vec<DemoAccount>,
    used_names: std::collections::HashSet<String>,
}

impl Builder {
    fn org(
        &mut self,
        code: String,
        parent: Option<&str>,
        name: String,
        kind: OrgKind,
        party: PartyOrgKind,
    ) -> String {
        self.orgs.push(DemoOrg {
            code: code.clone(),
            parent_code: parent.map(str::to_string),
            name,
            kind,
            party_org_kind: Some(party),
        });
        code
    }

    /// A place name not used yet at this level, e.g. 东阳.
    fn place(&mut self, suffix: &str) -> String {
        for _ in 0..200 {
            let n = format!(
                "{}{}{suffix}",
                self.rng.pick(PLACE_A),
                self.rng.pick(PLACE_B)
            );
            if self.used_names.insert(n.clone()) {
                return n;
            }
        }
        format!("新{}{suffix}", self.used_names.len())
    }

    fn person(&mut self) -> String {
        format!("{}{}", self.rng.pick(SURNAMES), self.rng.pick(GIVEN))
    }

    fn account(&mut self, username: String, role: &'static str, org_code: &str) {
        let display_name = self.person();
        self.accounts.push(DemoAccount {
            username,
            display_name,
            role,
            org_code: org_code.to_string(),
        });
    }

    fn departments(&mut self, parent: &str, prefix: &str, names: &[&str]) -> Vec<String> {
        names
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let party = if d.contains("纪委") || d.contains("组织部") || d.contains("宣传部")
                {
                    PartyOrgKind::Committee
                } else {
                    PartyOrgKind::LeadershipGroup
                };
                self.org(
                    format!("{parent}-D{:02}", i + 1),
                    Some(parent),
                    format!("{prefix}{d}"),
                    OrgKind::Department,
                    party,
                )
            })
            .collect()
    }
}

/// Generates the demo province for `seed`.
pub fn generate(seed: u64, size: DemoSize) -> DemoProvince {
    let mut b = Builder {
        rng: Rng(seed),
        orgs: Vec::new(),
        accounts: Vec::new(),
        used_names: Default::default(),
    };
    let province = b.org(
        "99".into(),
        None,
        "江岭省".into(),
        OrgKind::Province,
        PartyOrgKind::Committee,
    );
    let prov_depts = b.departments(&province, "江岭省", PROVINCE_DEPTS);
    b.org(
        format!("{province}-E01"),
        Some(&province),
        "江岭省交通投资集团有限公司".into(),
        OrgKind::Soe,
        PartyOrgKind::Committee,
    );
    b.org(
        format!("{province}-E02"),
        Some(&province),
        "江岭省能源集团有限公司".into(),
        OrgKind::Soe,
        PartyOrgKind::Committee,
    );
    b.org(
        format!("{province}-S01"),
        Some(&province),
        "江岭大学".into(),
        OrgKind::School,
        PartyOrgKind::Committee,
    );

    b.account("admin".into(), perm::SYS_ADMIN, &province);
    b.account("security".into(), perm::SEC_ADMIN, &province);
    b.account("auditor".into(), perm::AUDIT_ADMIN, &province);
    b.account("prov.director".into(), perm::OFFICE_DIRECTOR, &province);
    b.account("prov.staff".into(), perm::OFFICE_STAFF, &province);
    b.account("prov.leader".into(), perm::LEADER, &province);
    b.account("prov.inspector".into(), perm::INSPECTOR, &province);
    b.account("prov.inspector2".into(), perm::INSPECTOR, &province);
    if let Some(jw) = prov_depts.first() {
        b.account("prov.discipline".into(), perm::DISCIPLINE, &jw.clone());
    }
    if let Some(dept) = prov_depts.get(4) {
        b.account("dept.liaison".into(), perm::UNIT_LIAISON, &dept.clone());
    }

    let mut city_pool: Vec<&str> = CITY_NAMES.to_vec();
    for ci in 1..=size.cities {
        // Named cities first; a larger province gets generated two-character names.
        let base = if city_pool.is_empty() {
            b.place("")
        } else {
            let n = u64::try_from(city_pool.len()).unwrap_or(1);
            city_pool
                .remove(usize::try_from(b.rng.next() % n).unwrap_or(0))
                .to_string()
        };
        let city_name = format!("{base}市");
        let city = b.org(
            format!("{province}{ci:02}"),
            Some(&province),
            city_name.clone(),
            OrgKind::City,
            PartyOrgKind::Committee,
        );
        let city_depts = b.departments(&city, &city_name, CITY_DEPTS);
        b.org(
            format!("{city}-E01"),
            Some(&city),
            format!("{city_name}城市建设投资集团有限公司"),
            OrgKind::Soe,
            PartyOrgKind::Committee,
        );
        b.account(
            format!("city{ci:02}.director"),
            perm::OFFICE_DIRECTOR,
            &city,
        );
        b.account(format!("city{ci:02}.staff"), perm::OFFICE_STAFF, &city);
        b.account(format!("city{ci:02}.leader"), perm::LEADER, &city);
        b.account(format!("city{ci:02}.inspector"), perm::INSPECTOR, &city);
        b.account(
            format!("city{ci:02}.discipline"),
            perm::DISCIPLINE,
            &city_depts[0],
        );
        for ki in 1..=size.counties_per_city {
            let suffix = if ki == 1 { "区" } else { "县" };
            let county_name = b.place(suffix);
            let county = b.org(
                format!("{city}{ki:02}"),
                Some(&city),
                county_name.clone(),
                OrgKind::County,
                PartyOrgKind::Committee,
            );
            let county_depts = b.departments(&county, &county_name, COUNTY_DEPTS);
            b.org(
                format!("{county}-S01"),
                Some(&county),
                format!("{county_name}第一中学"),
                OrgKind::School,
                PartyOrgKind::Committee,
            );
            b.account(
                format!("county{ci:02}{ki:02}.director"),
                perm::OFFICE_DIRECTOR,
                &county,
            );
            b.account(
                format!("county{ci:02}{ki:02}.staff"),
                perm::OFFICE_STAFF,
                &county,
            );
            b.account(
                format!("county{ci:02}{ki:02}.leader"),
                perm::LEADER,
                &county,
            );
            b.account(
                format!("county{ci:02}{ki:02}.discipline"),
                perm::DISCIPLINE,
                &county_depts[0],
            );
            for ti in 1..=size.townships_per_county {
                let suffix = if ki == 1 {
                    "街道"
                } else if ti % 3 == 0 {
                    "乡"
                } else {
                    "镇"
                };
                let town_name = b.place(suffix);
                let (town_party, village_kind) = if suffix == "街道" {
                    (PartyOrgKind::WorkingCommittee, "社区")
                } else {
                    (PartyOrgKind::Committee, "村")
                };
                let town = b.org(
                    format!("{county}{ti:03}"),
                    Some(&county),
                    town_name,
                    OrgKind::Township,
                    town_party,
                );
                if ti == 1 {
                    b.account(
                        format!("town{ci:02}{ki:02}{ti:02}.liaison"),
                        perm::UNIT_LIAISON,
                        &town,
                    );
                }
                for vi in 1..=size.villages_per_township {
                    let village_name = b.place(village_kind);
                    let party = if vi % 2 == 0 {
                        PartyOrgKind::GeneralBranch
                    } else {
                        PartyOrgKind::Branch
                    };
                    b.org(
                        format!("{town}{vi:03}"),
                        Some(&town),
                        village_name,
                        OrgKind::Village,
                        party,
                    );
                }
            }
        }
    }
    DemoProvince {
        orgs: b.orgs,
        accounts: b.accounts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_province_and_codes_unique() {
        let a = generate(7, DemoSize::default());
        assert_eq!(a, generate(7, DemoSize::default()));
        assert_ne!(a.accounts, generate(8, DemoSize::default()).accounts);
        let mut codes: Vec<&str> = a.orgs.iter().map(|o| o.code.as_str()).collect();
        let n = codes.len();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(n, codes.len());
        assert!(n > 350, "{n} organisations");
        // Every parent comes before its children and exists.
        for (i, o) in a.orgs.iter().enumerate() {
            if let Some(p) = &o.parent_code {
                assert!(
                    a.orgs[..i].iter().any(|x| &x.code == p),
                    "{} before parent",
                    o.code
                );
            }
        }
        for acc in &a.accounts {
            assert!(a.orgs.iter().any(|o| o.code == acc.org_code));
            assert!(
                crate::auth::parse_username("u", &acc.username).is_ok(),
                "{}",
                acc.username
            );
        }
        assert!(a.accounts.iter().any(|x| x.username == "prov.director"));
        assert!(
            a.accounts
                .iter()
                .any(|x| x.username == "county0101.director")
        );
    }

    #[test]
    fn every_business_role_exists_at_province_city_and_county() {
        let p = generate(3, DemoSize::default());
        let level = |code: &str| p.orgs.iter().find(|o| o.code == code).map(|o| o.code.len());
        for role in [
            perm::OFFICE_DIRECTOR,
            perm::OFFICE_STAFF,
            perm::LEADER,
            perm::DISCIPLINE,
        ] {
            for prefix in ["prov.", "city01.", "county0101."] {
                assert!(
                    p.accounts.iter().any(|a| a.role == role
                        && a.username.starts_with(prefix)
                        && level(&a.org_code).is_some()),
                    "{role} missing at {prefix}"
                );
            }
        }
    }

    #[test]
    fn large_provinces_generate_without_panicking() {
        let size = DemoSize {
            cities: 14,
            counties_per_city: 10,
            townships_per_county: 2,
            villages_per_township: 1,
        };
        let big = generate(1, size);
        let mut names: Vec<&str> = big
            .orgs
            .iter()
            .filter(|o| o.kind == OrgKind::City)
            .map(|o| o.name.as_str())
            .collect();
        assert_eq!(names.len(), 14);
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 14, "city names repeat");
    }
}
