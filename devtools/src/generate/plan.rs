//! The plan of one dataset: units, people and, per person, their records.

#![allow(clippy::wildcard_imports)]

use super::*;

#[derive(Debug, Clone)]
pub(super) struct UnitInfo {
    pub(super) unit: Unit,
    pub(super) agency: usize,
    pub(super) traffic: u32,
    pub(super) services: Vec<&'static str>,
    /// Mean of an SKM score in this unit (2.3 poor … 3.8 excellent).
    pub(super) mean_score: f64,
    /// Mean minutes waited, and its change over the whole window (−0.4 =
    /// 40% shorter by the end).
    pub(super) mean_wait: f64,
    pub(super) wait_trend: f64,
    /// Active staff who serve citizens (not the head).
    pub(super) officers: Vec<usize>,
}

#[derive(Debug, Clone)]
pub(super) struct Person {
    pub(super) employee: Employee,
    pub(super) unit: usize,
    /// Latent performance, ~N(0, 1).
    pub(super) ability: f64,
    /// As an appraiser: 0 fair, > 0 lenient, < 0 severe.
    pub(super) leniency: f64,
    pub(super) appraiser: Option<usize>,
    pub(super) reviewer: Option<usize>,
    /// Not (yet) appraised in the last period.
    pub(super) skip_last: bool,
    pub(super) tmt_year: i32,
}

#[derive(Debug)]
pub(super) struct Plan<'o> {
    pub(super) o: &'o Options,
    pub(super) periods: Vec<Period>,
    pub(super) years: Vec<i32>,
    /// The day the data describes: the last period's end.
    pub(super) today: NaiveDate,
    pub(super) units: Vec<UnitInfo>,
    pub(super) traffic: Vec<u32>,
    pub(super) people: Vec<Person>,
    /// (mentee, mentor).
    pub(super) mentoring: Vec<(usize, usize)>,
    /// Service hours in the feedback window: (start ms, length ms, service
    /// time before it), oldest first.
    pub(super) windows: Vec<(i64, i64, i64)>,
    pub(super) service_ms: i64,
    pub(super) unit_periods: Vec<UnitPeriodRow>,
    pub(super) potentials: Vec<PotentialRow>,
    pub(super) sanctions: Vec<SanctionRow>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    AgencyHead,
    UnitHead,
    Pengawas,
    Fungsional,
    Pelaksana,
}

impl<'o> Plan<'o> {
    pub(super) fn new(o: &'o Options) -> Result<Self, GenerateError> {
        if o.agencies == 0 || o.units_per_agency == 0 {
            return Err(GenerateError::Invalid("at least one agency with one unit".into()));
        }
        let n_units = o.agencies as usize * o.units_per_agency as usize;
        if (o.employees as usize) < 2 * n_units {
            return Err(GenerateError::Invalid(format!(
                "{} employees cannot staff {n_units} units (a head and one more each)",
                o.employees
            )));
        }
        if o.end_ms <= o.start_ms {
            return Err(GenerateError::Invalid("end_ms must be after start_ms".into()));
        }
        let periods =
            o.periods.iter().map(|c| Period::parse(c)).collect::<Result<Vec<_>, _>>().map_err(refused("period"))?;
        let today = periods.iter().map(|p| p.end).max().ok_or_else(|| GenerateError::Invalid("no periods".into()))?;
        let mut years: Vec<i32> = periods.iter().map(|p| p.year()).collect();
        years.sort_unstable();
        years.dedup();
        let mut plan = Plan {
            o,
            periods,
            years,
            today,
            units: Vec::new(),
            traffic: Vec::new(),
            people: Vec::new(),
            mentoring: Vec::new(),
            windows: Vec::new(),
            service_ms: 0,
            unit_periods: Vec::new(),
            potentials: Vec::new(),
            sanctions: Vec::new(),
        };
        plan.make_windows();
        plan.make_units()?;
        plan.make_people()?;
        plan.make_mentoring();
        plan.make_inputs()?;
        Ok(plan)
    }

    /// Offices open 08:00–16:00 local time on weekdays and 08:00–12:00 on
    /// Saturdays.
    pub(super) fn make_windows(&mut self) {
        let (from, to) = (self.o.start_ms, self.o.end_ms);
        let first_day = (from + LOCAL_OFFSET_MS).div_euclid(DAY_MS);
        let last_day = (to + LOCAL_OFFSET_MS).div_euclid(DAY_MS);
        for day in first_day..=last_day {
            let hours = match (day + 3).rem_euclid(7) {
                0..=4 => 8,
                5 => 4,
                _ => 0,
            };
            let open = day * DAY_MS - LOCAL_OFFSET_MS + 8 * HOUR_MS;
            let (start, end) = (open.max(from), (open + hours * HOUR_MS).min(to));
            if end > start {
                self.windows.push((start, end - start, self.service_ms));
                self.service_ms += end - start;
            }
        }
    }

    /// When feedback `i` of `n` arrives: the i-th of n equal slices of the
    /// service hours, at a random point in it. Feedback therefore arrives
    /// in order, as in real life, and its time-sorted ids and indexes are
    /// appended to rather than written all over.
    pub(super) fn service_time(&self, i: u32, rng: &mut Rng) -> i64 {
        const SCALE: u128 = 1 << 20;
        let n = u128::from(self.o.feedback.max(1));
        let slot = u128::from(i) * SCALE + u128::from(rng.below(SCALE as u64));
        let (from, to) = (self.o.start_ms, self.o.end_ms);
        if self.service_ms == 0 {
            let span = u128::try_from(to - from).unwrap_or(0);
            return from + i64::try_from(span * slot / (n * SCALE)).unwrap_or(0);
        }
        let total = u128::try_from(self.service_ms).unwrap_or(0);
        let x = i64::try_from(total * slot / (n * SCALE)).unwrap_or(0);
        let w = self.windows.partition_point(|&(_, _, before)| before <= x).saturating_sub(1);
        match self.windows.get(w) {
            Some(&(start, len, before)) => (start + (x - before).min(len - 1)).clamp(from, to - 1),
            None => from,
        }
    }

    pub(super) fn agency_def(&self, agency: usize) -> Option<&'static AgencyDef> {
        AGENCIES.get(agency % AGENCIES.len())
    }

    pub(super) fn make_units(&mut self) -> Result<(), GenerateError> {
        let mut rng = Rng::derive(self.o.seed, stream::UNITS, 0);
        for a in 0..self.o.agencies as usize {
            let def = self.agency_def(a).ok_or_else(|| GenerateError::Invalid("no agency definitions".into()))?;
            let round = a / AGENCIES.len();
            let agency_name = if round == 0 { def.name.to_string() } else { format!("{} {}", def.name, round + 1) };
            for u in 0..self.o.units_per_agency as usize {
                let name = if u == 0 {
                    format!("Sekretariat {agency_name}")
                } else if let Some(f) = def.fixed.get(u - 1) {
                    (*f).to_string()
                } else {
                    let k = u - 1 - def.fixed.len();
                    let place = PLACES.get((k + a * 5) % PLACES.len()).copied().unwrap_or("Manokwari");
                    match k / PLACES.len() {
                        0 => format!("{} {place}", def.prefix),
                        n => format!("{} {place} {}", def.prefix, n + 1),
                    }
                };
                let id = format!("unit-{:04}", self.units.len() + 1);
                let n_services = if u == 0 { 1 } else { rng.between(1, 3) as usize };
                let services: Vec<&'static str> = rng
                    .distinct(def.services.len(), n_services)
                    .into_iter()
                    .filter_map(|i| def.services.get(i).copied())
                    .collect();
                let traffic = if u == 0 { 1 } else { def.traffic * rng.between(1, 4) };
                let (mean_score, mean_wait) = match rng.weighted(&[20, 55, 25]) {
                    0 => (2.3 + 0.5 * rng.unit(), 40.0 + 50.0 * rng.unit()),
                    1 => (2.9 + 0.4 * rng.unit(), 15.0 + 30.0 * rng.unit()),
                    _ => (3.4 + 0.4 * rng.unit(), 5.0 + 20.0 * rng.unit()),
                };
                let unit = Unit {
                    id,
                    agency_id: format!("opd-{:02}", a + 1),
                    agency_name: agency_name.clone(),
                    name,
                    head_nip: None,
                };
                self.units.push(UnitInfo {
                    unit,
                    agency: a,
                    traffic,
                    services,
                    mean_score,
                    mean_wait,
                    wait_trend: 0.8 * rng.unit() - 0.4,
                    officers: Vec::new(),
                });
            }
        }
        self.traffic = self.units.iter().map(|u| u.traffic).collect();
        Ok(())
    }

    pub(super) fn make_people(&mut self) -> Result<(), GenerateError> {
        let mut rng = Rng::derive(self.o.seed, stream::ROSTER, 0);
        let n_units = self.units.len();
        // Unit sizes: two each, the rest by weight.
        let weights: Vec<u64> = (0..n_units)
            .map(|u| if u % self.o.units_per_agency as usize == 0 { 3 } else { rng.below(4) + 1 })
            .collect();
        let spare = u64::from(self.o.employees) - 2 * n_units as u64;
        let total_w: u64 = weights.iter().sum();
        let mut sizes: Vec<u64> = weights.iter().map(|w| 2 + spare * w / total_w.max(1)).collect();
        let mut left = u64::from(self.o.employees).saturating_sub(sizes.iter().sum::<u64>());
        for s in sizes.iter_mut() {
            let add = left.div_ceil(n_units as u64).min(left);
            *s += add;
            left -= add;
        }
        let mut used = HashSet::new();
        let mut agency_head: Vec<Option<usize>> = vec![None; self.o.agencies as usize];
        for (u, &size) in sizes.iter().enumerate() {
            let (agency, unit_name) = match self.units.get(u) {
                Some(x) => (x.agency, x.unit.name.clone()),
                None => continue,
            };
            let def = self.agency_def(agency).ok_or_else(|| GenerateError::Invalid("no agency".into()))?;
            let first_of_agency = u % self.o.units_per_agency as usize == 0;
            let head_index = self.people.len();
            for i in 0..size {
                let role = match i {
                    0 if first_of_agency => Role::AgencyHead,
                    0 => Role::UnitHead,
                    i if i % 12 == 0 => Role::Pengawas,
                    _ if rng.chance(0.3) && !def.functional.is_empty() => Role::Fungsional,
                    _ => Role::Pelaksana,
                };
                let superior = match role {
                    Role::AgencyHead => None,
                    Role::UnitHead => agency_head.get(agency).copied().flatten(),
                    _ => Some(head_index),
                };
                let title_for_head = if first_of_agency {
                    format!("Kepala {}", self.units.get(u).map(|x| x.unit.agency_name.as_str()).unwrap_or(""))
                } else {
                    format!("Kepala {unit_name}")
                };
                let person = self.person(&mut rng, &mut used, role, def, u, superior, &title_for_head)?;
                if role == Role::AgencyHead
                    && let Some(slot) = agency_head.get_mut(agency)
                {
                    *slot = Some(self.people.len());
                }
                if i == 0
                    && let Some(x) = self.units.get_mut(u)
                {
                    x.unit.head_nip = Some(person.employee.nip.clone());
                }
                self.people.push(person);
            }
        }
        // Reviewers, officers, and who is not yet appraised this period.
        for p in 0..self.people.len() {
            let reviewer = self.people.get(p).and_then(|x| x.appraiser).and_then(|a| self.people.get(a)?.appraiser);
            let skip = rng.chance(0.05);
            if let Some(x) = self.people.get_mut(p) {
                x.reviewer = reviewer;
                x.skip_last = skip;
            }
            if let Some(x) = self.people.get(p)
                && x.employee.active
                && x.appraiser.is_some_and(|a| self.people.get(a).is_some_and(|h| h.unit == x.unit))
                && let Some(u) = self.units.get_mut(x.unit)
            {
                u.officers.push(p);
            }
        }
        for u in &self.units {
            u.unit.validate().map_err(refused("unit"))?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn person(
        &self,
        rng: &mut Rng,
        used: &mut HashSet<String>,
        role: Role,
        def: &AgencyDef,
        unit: usize,
        superior: Option<usize>,
        head_title: &str,
    ) -> Result<Person, GenerateError> {
        let this_year = self.today.year();
        let male = rng.chance(0.5);
        let education = match role {
            Role::AgencyHead | Role::UnitHead => {
                rng.choose(&[(Education::S1, 55), (Education::S2, 40), (Education::S3, 5)], Education::S1)
            }
            Role::Pengawas => {
                rng.choose(&[(Education::D3, 15), (Education::S1, 70), (Education::S2, 15)], Education::S1)
            }
            Role::Fungsional => rng.choose(
                &[
                    (Education::SMA, 5),
                    (Education::D3, 25),
                    (Education::D4, 10),
                    (Education::S1, 50),
                    (Education::S2, 10),
                ],
                Education::S1,
            ),
            Role::Pelaksana => rng.choose(
                &[
                    (Education::SD, 1),
                    (Education::SMP, 4),
                    (Education::SMA, 45),
                    (Education::D3, 20),
                    (Education::S1, 30),
                ],
                Education::SMA,
            ),
        };
        let (born_from, born_to) = match role {
            Role::AgencyHead => (1966, 1978),
            Role::UnitHead => (1966, 1982),
            Role::Pengawas => (1968, 1990),
            _ => (1965, 2000),
        };
        // Entry age by education; at least 19 so TMT CPNS is after the 18th birthday.
        let entry_age = match education {
            Education::SD | Education::SMP | Education::SMA => 19,
            Education::D1 | Education::D2 | Education::D3 => 21,
            Education::D4 | Education::S1 => 23,
            Education::S2 => 26,
            Education::S3 => 30,
        } + rng.below(8) as i32;
        let mut nip = None;
        for _ in 0..1000 {
            let year = rng.between(born_from, born_to) as i32;
            let birth = add_days(ymd(year, 1, 1)?, rng.below(365))?;
            let tmt_year = (birth.year() + entry_age).min(this_year - 1).max(birth.year() + 19);
            let tmt_month = rng.between(1, 12);
            let digits = format!(
                "{}{:04}{:02}{}{:03}",
                birth.format("%Y%m%d"),
                tmt_year,
                tmt_month,
                if male { 1 } else { 2 },
                rng.between(1, 999)
            );
            if used.contains(&digits) {
                continue;
            }
            let parsed = Nip::parse(&digits).map_err(|e| invalid("nip", e))?;
            if !parsed.warnings().is_empty() {
                continue;
            }
            used.insert(digits);
            nip = Some((parsed, tmt_year));
            break;
        }
        let (nip, tmt_year) = nip.ok_or_else(|| GenerateError::Invalid("could not find a free NIP".into()))?;

        // Rank: start by education, one step every 4–5 years, up to the
        // education ceiling; heads at least their position's floor.
        let start = match education {
            Education::SD => Rank::Ia,
            Education::SMP => Rank::Ic,
            Education::SMA | Education::D1 => Rank::IIa,
            Education::D2 => Rank::IIb,
            Education::D3 => Rank::IIc,
            Education::D4 | Education::S1 => Rank::IIIa,
            Education::S2 => Rank::IIIb,
            Education::S3 => Rank::IIIc,
        };
        let pos = |r: Rank| Rank::ALL.iter().position(|&x| x == r).unwrap_or(0);
        let interval = 4 + rng.below(2) as i32;
        let service = (this_year - tmt_year).max(0);
        let steps = service / interval;
        let ceiling = pos(EducationCeilings::default().ceiling(education));
        let natural = pos(start) + steps as usize;
        let floor = match role {
            Role::AgencyHead => pos(Rank::IVc),
            Role::UnitHead => pos(Rank::IVa),
            Role::Pengawas => pos(Rank::IIIc),
            _ => 0,
        };
        let (rank_pos, since_year) = if floor > natural.min(ceiling) {
            (floor, this_year - rng.below(6) as i32)
        } else if natural > ceiling {
            (ceiling, tmt_year + (ceiling.saturating_sub(pos(start)) as i32) * interval)
        } else {
            (natural, tmt_year + steps * interval)
        };
        let rank = Rank::ALL.get(rank_pos).copied().unwrap_or(Rank::IIIa);
        let since_year = since_year.max(tmt_year).min(this_year);
        let since_month = if rng.chance(0.5) { 4 } else { 10 };
        let since = ymd(since_year, since_month, 1)?.min(self.today);

        let first = if male { rng.pick(MALE, "Yohanes") } else { rng.pick(FEMALE, "Maria") };
        let last = rng.pick(SURNAMES, "Rumbiak");
        let degree = match education {
            Education::D3 => Some("A.Md."),
            Education::D4 => Some("S.Tr."),
            Education::S1 => Some(rng.pick(&["S.E.", "S.Sos.", "S.H.", "S.Kom.", "S.Pd.", "S.Kep.", "S.IP."], "S.E.")),
            Education::S2 => Some(rng.pick(&["M.Si.", "M.M.", "M.Kes.", "M.AP."], "M.Si.")),
            Education::S3 => Some("Dr."),
            _ => None,
        };
        let name = match degree {
            Some("Dr.") => format!("Dr. {first} {last}"),
            Some(d) => format!("{first} {last}, {d}"),
            None => format!("{first} {last}"),
        };
        let (position, position_title) = match role {
            Role::AgencyHead => (PositionKind::Jpt, head_title.to_string()),
            Role::UnitHead => (PositionKind::Administrator, head_title.to_string()),
            Role::Pengawas => (PositionKind::Pengawas, rng.pick(PENGAWAS, "Kepala Seksi Pelayanan").to_string()),
            Role::Fungsional => {
                let expert = matches!(education, Education::D4 | Education::S1 | Education::S2 | Education::S3);
                let level = functional_level(expert, rank);
                let title = rng.pick(def.functional, "Analis Kebijakan");
                (PositionKind::Fungsional(level), format!("{title} {}", level.label_id()))
            }
            Role::Pelaksana => {
                (PositionKind::Pelaksana, rng.pick(PELAKSANA, "Pengadministrasi Perkantoran").to_string())
            }
        };
        let head = matches!(role, Role::AgencyHead | Role::UnitHead);
        let active = head || !rng.chance(0.03);
        let superior_nip = superior.and_then(|s| self.people.get(s)).map(|s| s.employee.nip.clone());
        let employee = Employee {
            nip,
            name,
            rank: Some(rank),
            rank_since: Some(since.format("%Y-%m-%d").to_string()),
            education: Some(education),
            position,
            position_title,
            unit_id: self.units.get(unit).map(|u| u.unit.id.clone()).unwrap_or_default(),
            superior_nip,
            active,
        };
        employee.validate().map_err(refused("employee"))?;
        let leniency = if head {
            match rng.weighted(&[80, 10, 10]) {
                0 => 0.0,
                1 => 1.5,
                _ => -1.2,
            }
        } else {
            0.0
        };
        Ok(Person {
            employee,
            unit,
            ability: rng.normal(),
            leniency,
            appraiser: superior,
            reviewer: None,
            skip_last: false,
            tmt_year,
        })
    }

    pub(super) fn make_mentoring(&mut self) {
        let mut rng = Rng::derive(self.o.seed, stream::MENTORING, u64::MAX);
        for (p, person) in self.people.iter().enumerate() {
            let junior = self.today.year() - person.tmt_year <= 10;
            if !person.employee.active || person.appraiser.is_none() || !rng.chance(if junior { 0.08 } else { 0.02 }) {
                continue;
            }
            let Some(unit) = self.units.get(person.unit) else { continue };
            let senior = (0..5)
                .map(|_| rng.pick(&unit.officers, p))
                .find(|&m| m != p && self.people.get(m).is_some_and(|x| x.employee.rank > person.employee.rank));
            let mentor =
                senior.or(person.appraiser.filter(|&h| self.people.get(h).is_some_and(|h| h.unit == person.unit)));
            if let Some(m) = mentor {
                self.mentoring.push((p, m));
            }
        }
    }

    pub(super) fn make_inputs(&mut self) -> Result<(), GenerateError> {
        let mut rng = Rng::derive(self.o.seed, stream::INPUTS, 0);
        let total_traffic: u64 = self.traffic.iter().map(|&t| u64::from(t)).sum::<u64>().max(1);
        let per_period = f64::from(self.o.feedback) / self.periods.len().max(1) as f64;
        for period in &self.periods {
            for u in &self.units {
                let rating = rng.choose(
                    &[
                        (UnitRating::Istimewa, 10),
                        (UnitRating::Baik, 75),
                        (UnitRating::ButuhPerbaikan, 10),
                        (UnitRating::Kurang, 4),
                        (UnitRating::SangatKurang, 1),
                    ],
                    UnitRating::Baik,
                );
                // Population around the respondents expected, so some
                // units reach the SKM sample size and some do not.
                let expected = per_period * f64::from(u.traffic) / total_traffic as f64;
                let factor = 10f64.powf(1.3 * rng.unit() - 0.2);
                let population = ((expected * factor).round() as u64).clamp(50, 5_000);
                self.unit_periods.push(UnitPeriodRow {
                    unit_id: u.unit.id.clone(),
                    period: period.code.clone(),
                    rating: Some(rating.name().to_string()),
                    population: Some(population),
                });
            }
        }
        for p in &self.people {
            if p.employee.active && rng.chance(0.8) {
                let score = (65.0 + 12.0 * p.ability + 8.0 * rng.normal()).clamp(30.0, 100.0);
                self.potentials.push(PotentialRow {
                    nip: p.employee.nip.to_string(),
                    score: (score * 10.0).round() / 10.0,
                    assessed_on: sub_days(self.today, rng.below(365))?.format("%Y-%m-%d").to_string(),
                });
            }
            if p.employee.active && p.appraiser.is_some() && rng.chance(0.01) {
                let level = rng
                    .choose(&[(Sanction::Ringan, 60), (Sanction::Sedang, 30), (Sanction::Berat, 10)], Sanction::Ringan);
                let notes: Vec<&str> = SANCTION_NOTES.iter().filter(|(l, _)| *l == level).map(|(_, n)| *n).collect();
                self.sanctions.push(SanctionRow {
                    nip: p.employee.nip.to_string(),
                    level: level.name().to_string(),
                    decided_on: sub_days(self.today, rng.below(730))?.format("%Y-%m-%d").to_string(),
                    note: rng.pick(&notes, "Hukuman disiplin").to_string(),
                });
            }
        }
        Ok(())
    }

    /// (person, period index) of every appraisal: active employees with a
    /// superior in every period, less `skip_last` ones in the last period.
    pub(super) fn appraisal_keys(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        let last = self.periods.len().saturating_sub(1);
        self.people.iter().enumerate().flat_map(move |(p, person)| {
            let eligible = person.employee.active && person.appraiser.is_some();
            (0..self.periods.len()).filter(move |&k| eligible && !(k == last && person.skip_last)).map(move |k| (p, k))
        })
    }

    /// Who has training records: every active employee.
    pub(super) fn trainees(&self) -> impl Iterator<Item = usize> + '_ {
        self.people.iter().enumerate().filter(|(_, p)| p.employee.active).map(|(i, _)| i)
    }

    pub(super) fn person_at(&self, p: usize) -> Result<&Person, GenerateError> {
        self.people.get(p).ok_or_else(|| GenerateError::Invalid(format!("no person {p}")))
    }

    pub(super) fn appraisal(&self, p: usize, k: usize) -> Result<(DocId, Appraisal), GenerateError> {
        let person = self.person_at(p)?;
        let period = self.periods.get(k).ok_or_else(|| GenerateError::Invalid(format!("no period {k}")))?;
        let appraiser =
            self.person_at(person.appraiser.ok_or_else(|| GenerateError::Invalid("no appraiser".into()))?)?;
        let last = k + 1 == self.periods.len();
        let mut rng = Rng::derive(self.o.seed, stream::APPRAISAL, (p as u64) << 8 | k as u64);
        let e = &person.employee;
        let mut a = Appraisal::new(e.nip.clone(), &period.code, &e.unit_id, appraiser.employee.nip.clone())
            .map_err(refused("appraisal"))?;
        a.reviewer_nip = person.reviewer.and_then(|r| self.people.get(r)).map(|r| r.employee.nip.clone());
        a.status = if last {
            rng.choose(
                &[(AppraisalStatus::Draft, 30), (AppraisalStatus::Submitted, 35), (AppraisalStatus::Reviewed, 35)],
                AppraisalStatus::Draft,
            )
        } else {
            rng.choose(
                &[(AppraisalStatus::Submitted, 2), (AppraisalStatus::Reviewed, 8), (AppraisalStatus::Locked, 90)],
                AppraisalStatus::Locked,
            )
        };
        let complete = a.status != AppraisalStatus::Draft || rng.chance(0.5);
        let lenient = appraiser.leniency;
        // This period's performance: the person's ability plus luck.
        let work = 0.6 * person.ability + 0.5 * rng.normal();
        let conduct = 0.6 * person.ability + 0.5 * rng.normal() + 0.5 * lenient;

        let def = self.units.get(person.unit).and_then(|u| self.agency_def(u.agency));
        let own: &[Indicator] = def.map(|d| d.indicators).unwrap_or(&[]);
        let n = rng.between(3, 6) as usize;
        let n_own = if own.is_empty() { 0 } else { rng.between(1, 2) as usize };
        let mut chosen: Vec<Indicator> =
            rng.distinct(own.len(), n_own).into_iter().filter_map(|i| own.get(i).copied()).collect();
        chosen.extend(
            rng.distinct(GENERIC_INDICATORS.len(), n - chosen.len())
                .into_iter()
                .filter_map(|i| GENERIC_INDICATORS.get(i).copied()),
        );
        let n_main = rng.between(1, 2) as usize;
        for (i, (indicator, unit, lo, hi)) in chosen.into_iter().enumerate() {
            let percent = unit == "%";
            let target = f64::from(rng.between(lo, hi));
            let ratio = 1.0 + 0.09 * work + 0.06 * rng.normal();
            let mut realisation = (target * ratio).max(0.0);
            realisation = if percent { (realisation.min(100.0) * 10.0).round() / 10.0 } else { realisation.round() };
            let seen = if target > 0.0 { realisation / target + 0.05 * lenient } else { 1.0 };
            let rating = if seen >= 1.1 {
                Rating::DiAtasEkspektasi
            } else if seen >= 0.9 {
                Rating::SesuaiEkspektasi
            } else {
                Rating::DiBawahEkspektasi
            };
            a.targets.push(SkpTarget {
                id: rng.item_id(i),
                indicator: indicator.to_string(),
                target,
                realisation: complete.then_some(realisation),
                unit: unit.to_string(),
                main: i < n_main,
                rating: complete.then_some(rating),
            });
        }
        if complete {
            for v in BehaviourValue::ALL {
                let x = conduct + 0.6 * rng.normal();
                let r = if x > 0.9 {
                    Rating::DiAtasEkspektasi
                } else if x < -1.6 {
                    Rating::DiBawahEkspektasi
                } else {
                    Rating::SesuaiEkspektasi
                };
                a.behaviour.insert(v, r);
            }
            let results: Vec<(Rating, bool)> = a.targets.iter().filter_map(|t| Some((t.rating?, t.main))).collect();
            a.hasil_kerja = suggest_hasil_kerja(&results);
            let values: Vec<Rating> = a.behaviour.values().copied().collect();
            a.perilaku = suggest_perilaku(&values);
            if rng.chance(0.6) {
                a.notes = rng.pick(BEHAVIOUR_NOTES, "").to_string();
            }
            if rng.chance(0.05 + 0.05 * work.max(0.0)) {
                let (what, effect) = rng.pick(INNOVATIONS, ("Inovasi layanan", ""));
                let span = (period.end - period.start).num_days().max(0) as u64;
                a.innovations.push(Innovation {
                    id: rng.item_id(0),
                    what: what.to_string(),
                    date: add_days(period.start, rng.below(span + 1))?,
                    effect: effect.to_string(),
                });
            }
        }
        a.validate().map_err(refused("appraisal"))?;
        if a.status != AppraisalStatus::Draft {
            a.validate_complete().map_err(refused("appraisal"))?;
        }
        Ok((DocId::for_appraisal(&e.nip, &period.code), a))
    }

    pub(super) fn feedback(&self, i: u32) -> Result<(DocId, Feedback, i64), GenerateError> {
        let o = self.o;
        let mut rng = Rng::derive(o.seed, stream::FEEDBACK, u64::from(i));
        let span = u64::try_from(o.end_ms - o.start_ms).unwrap_or(1);
        let at = self.service_time(i, &mut rng);
        let u = rng.weighted(&self.traffic);
        let unit = self.units.get(u).ok_or_else(|| GenerateError::Invalid(format!("no unit {u}")))?;
        let officer = if rng.chance(0.6) && !unit.officers.is_empty() {
            self.people.get(rng.pick(&unit.officers, usize::MAX))
        } else {
            None
        };
        let base = unit.mean_score + officer.map_or(0.0, |p| 0.12 * p.ability);
        // U1..U9: waiting time (U3) and facilities (U9) score lower, cost
        // (U4: most services are free) higher.
        const ADJUST: [f64; 9] = [0.0, -0.05, -0.2, 0.3, 0.0, 0.05, 0.05, -0.1, -0.15];
        let mut scores = [0u8; 9];
        for (s, adj) in scores.iter_mut().zip(ADJUST) {
            *s = (base + adj + 0.55 * rng.normal()).round().clamp(1.0, 4.0) as u8;
        }
        let scores = Scores::new(scores).map_err(refused("feedback"))?;
        let progress = (at - o.start_ms) as f64 / span as f64;
        let mean_wait =
            unit.mean_wait * (1.0 + unit.wait_trend * (progress - 0.5)) * (3.0 - base).exp().clamp(0.5, 2.0);
        let minutes_waited = (-mean_wait * (1.0 - rng.unit()).ln()).round().clamp(0.0, 180.0) as u32;
        let avg = f64::from(scores.as_array().iter().map(|&s| u32::from(s)).sum::<u32>()) / 9.0;
        let comment = if rng.chance(0.3) {
            let pool = if avg >= 3.2 {
                COMMENTS_GOOD
            } else if avg >= 2.6 {
                COMMENTS_MIXED
            } else {
                COMMENTS_POOR
            };
            rng.pick(pool, "").to_string()
        } else {
            String::new()
        };
        let channel = rng.choose(&[(Channel::Kiosk, 70), (Channel::Web, 22), (Channel::App, 8)], Channel::Kiosk);
        let f = Feedback {
            unit_id: unit.unit.id.clone(),
            service: rng.pick(&unit.services, "Layanan umum").to_string(),
            scores,
            minutes_waited,
            comment,
            channel,
            submitted_at: DateTime::<Utc>::from_timestamp_millis(at)
                .ok_or_else(|| GenerateError::Invalid(format!("time {at}")))?,
            officer_nip: officer.map(|p| p.employee.nip.clone()),
        };
        f.validate().map_err(refused("feedback"))?;
        Ok((v7(at, &mut rng), f, at))
    }

    pub(super) fn trainings(&self, p: usize) -> Result<Vec<(DocId, Training)>, GenerateError> {
        let person = self.person_at(p)?;
        let mut rng = Rng::derive(self.o.seed, stream::TRAINING, p as u64);
        let mut out = Vec::new();
        for k in 0..self.o.trainings_per_employee as usize {
            let year = self.years.get(k % self.years.len().max(1)).copied().unwrap_or(self.today.year());
            let weights: Vec<u32> = TRAINING_TITLES.iter().map(|t| t.2).collect();
            let (form, title, _) = TRAINING_TITLES.get(rng.weighted(&weights)).copied().unwrap_or((
                DevelopmentForm::Pelatihan,
                "Pelatihan Pelayanan Prima",
                1,
            ));
            let minutes = rng.pick(JP_CHOICES, 8) * 45;
            let start = add_days(ymd(year, 1, 6)?, rng.below(320))?;
            let days =
                if form.is_classroom() { u64::from(minutes.div_ceil(8 * 45)).saturating_sub(1) } else { rng.below(30) };
            let t = Training {
                employee_nip: person.employee.nip.clone(),
                form,
                title: title.to_string(),
                provider: rng.pick(PROVIDERS, "BKPSDM Kabupaten").to_string(),
                start,
                end: add_days(start, days)?,
                minutes,
                programme_id: rng.chance(0.25).then(|| format!("prg-{year}-{:02}", rng.between(1, 12))),
            };
            t.validate().map_err(refused("training"))?;
            let id = v7(date_ms(t.start), &mut rng);
            // Attendance of a programme has its derived id, once per person.
            let t = match t.programme_id.as_deref().map(|p| DocId::for_attendance(p, &t.employee_nip)) {
                Some(derived) if out.iter().any(|(d, _)| *d == derived) => Training { programme_id: None, ..t },
                _ => t,
            };
            let id = t.programme_id.as_deref().map_or(id, |p| DocId::for_attendance(p, &t.employee_nip));
            out.push((id, t));
        }
        Ok(out)
    }

    pub(super) fn mentoring(&self, m: usize) -> Result<(DocId, Mentoring), GenerateError> {
        let &(mentee, mentor) =
            self.mentoring.get(m).ok_or_else(|| GenerateError::Invalid(format!("no mentoring {m}")))?;
        let (mentee, mentor) = (self.person_at(mentee)?, self.person_at(mentor)?);
        let mut rng = Rng::derive(self.o.seed, stream::MENTORING, m as u64);
        let first = self.periods.iter().map(|p| p.start).min().unwrap_or(self.today);
        let span = (self.today - first).num_days().saturating_sub(120).max(1) as u64;
        let start = add_days(first, rng.below(span))?;
        let mut date = start;
        let mut sessions = Vec::new();
        for i in 0..rng.between(1, 6) as usize {
            date = add_days(date, 14 + rng.below(30))?.min(self.today);
            sessions.push(MentoringSession {
                id: rng.item_id(i),
                date,
                minutes: rng.between(2, 8) * 15,
                topic: rng.pick(MENTORING_TOPICS, "Pendampingan kerja").to_string(),
                notes: String::new(),
            });
        }
        let x = Mentoring {
            mentor_nip: mentor.employee.nip.clone(),
            mentee_nip: mentee.employee.nip.clone(),
            unit_id: mentee.employee.unit_id.clone(),
            start,
            active: rng.chance(0.7),
            sessions,
        };
        x.validate().map_err(refused("mentoring"))?;
        Ok((v7(date_ms(start), &mut rng), x))
    }
}

pub(super) fn functional_level(expert: bool, rank: Rank) -> FunctionalLevel {
    use FunctionalLevel::*;
    if expert {
        match rank {
            r if r <= Rank::IIIb => AhliPertama,
            r if r <= Rank::IIId => AhliMuda,
            r if r <= Rank::IVc => AhliMadya,
            _ => AhliUtama,
        }
    } else {
        match rank {
            r if r <= Rank::IIa => Pemula,
            r if r <= Rank::IId => Terampil,
            r if r <= Rank::IIIb => Mahir,
            _ => Penyelia,
        }
    }
}
