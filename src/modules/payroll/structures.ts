/**
 * Salary templates and employees' effective-dated salary structures (issue 18 item 3): the use cases.
 * What a structure pays in a month is rules/structure.ts; the employer PF inside CTC is the statutory
 * PF rule's own number (rules/pf.ts), never a second copy of it.
 */
import type { Clock } from '../../platform/clock/index.js';
import { istDay, istMonthBounds, isIsoDate, type IsoMonth } from '../../platform/clock/index.js';
import { duplicateKeyOf, inTransaction, type Db } from '../../platform/db/client.js';
import { Invalid, NotFound } from '../../platform/errors.js';
import type { Caller } from '../access/index.js';
import type { Audit } from '../audit/index.js';
import { employeesInScope, findEmployee } from '../people/index.js';
import { payMonth } from './rules/period.js';
import { providentFund } from './rules/pf.js';
import { monthlyEarnings, salaryTemplateSchema, type MonthlyEarnings, type SalaryTemplate, type StructureTerms } from './rules/structure.js';
import type { PfMode, SalaryStructureRow, SalaryTemplateRow } from './schema.js';
import * as store from './store.js';

export interface StructureInput {
  effectiveMonth: IsoMonth;
  templateId: string;
  pfMode: PfMode;
  terms: StructureTerms;
}

/** The employer's PF share (EPF + EPS) on these PF wages in `month`, as the statutory rule computes it. */
export function employerPfOn(month: IsoMonth, pfMode: PfMode): (pfWages: number) => number {
  const pm = payMonth(month);
  return (pfWages) => {
    // The company's 12%/10% rate is a payroll setting still to come; 12% is the Act's default (spec §2).
    const { pf } = providentFund({ wages: pfWages, says: '' }, { mode: pfMode, contributionRate: 12, epsEligible: true }, pm);
    return pf.employerEpf + pf.eps;
  };
}

/** What a stored structure pays in `month` (its template and terms), or the reason it cannot. */
export function earningsOf(structure: SalaryStructureRow, template: SalaryTemplate, month: IsoMonth) {
  return monthlyEarnings(template, termsOf(structure), employerPfOn(month, structure.pfMode));
}

export function termsOf(structure: SalaryStructureRow): StructureTerms {
  return {
    annualCtc: structure.annualCtc,
    basicOverride: structure.basicOverride,
    hraOverride: structure.hraOverride,
    da: structure.da,
    allowances: JSON.parse(structure.allowances) as Record<string, number>,
  };
}

const templateOf = (row: SalaryTemplateRow): SalaryTemplate => ({ name: row.name, basicBasisPoints: row.basicBasisPoints, hraBasisPoints: row.hraBasisPoints });

export function salaryStructureUseCases(deps: { db: Db; clock: Clock; audit: Audit }) {
  const { db, clock, audit } = deps;

  async function employeeOf(caller: Caller, employeeId: string) {
    const employee = await findEmployee(db, caller.tenantId, caller.scope, employeeId);
    if (!employee) throw new NotFound('No such employee');
    return employee;
  }

  return {
    /** Another company's employee, or one outside the caller's scope, is not found before any form is read. */
    async assertEmployee(caller: Caller, employeeId: string): Promise<void> {
      await employeeOf(caller, employeeId);
    },

    listTemplates: (caller: Caller) => store.listTemplates(db, caller.tenantId),

    async createTemplate(caller: Caller, input: unknown): Promise<string> {
      const parsed = salaryTemplateSchema.safeParse(input);
      if (!parsed.success)
        throw new Invalid(parsed.error.issues.map((i) => ({ field: String(i.path[0] ?? 'template'), message: i.message.replace(/^\w+ /, '') })));
      const { name, basicPercentOfCtc, hraPercentOfBasic } = parsed.data;
      return inTransaction(db, async (tx) => {
        const id = await store
          .insertTemplate(tx, caller.tenantId, { name, basicBasisPoints: basicPercentOfCtc, hraBasisPoints: hraPercentOfBasic })
          .catch((error: unknown) => {
            if (duplicateKeyOf(error) !== undefined) throw new Invalid('name', 'is already a template');
            throw error;
          });
        await audit.recordFor(tx, caller.context, 'salary_template.created', { type: 'salary_template', id }, { name });
        return id;
      });
    },

    /** Every employee in the caller's scope with the structure in force today (none: not set up yet). */
    async salaryOverview(caller: Caller) {
      const today = istDay(clock.now());
      const [staff, templates] = await Promise.all([employeesInScope(db, caller.tenantId, caller.scope), store.listTemplates(db, caller.tenantId)]);
      const inForce = await store.structuresInForce(
        db,
        caller.tenantId,
        staff.map((e) => e.id),
        today,
      );
      const names = new Map(templates.map((t) => [t.id, t.name]));
      return staff.map((employee) => {
        const structure = inForce.get(employee.id);
        return { ...employee, annualCtc: structure?.annualCtc ?? null, templateName: structure ? names.get(structure.templateId) : null };
      });
    },

    /** One employee's structures, newest first, each with what it pays in its first month. */
    async salaryOf(caller: Caller, employeeId: string) {
      const employee = await employeeOf(caller, employeeId);
      const [history, templates] = await Promise.all([store.structureHistory(db, caller.tenantId, employee.id), store.listTemplates(db, caller.tenantId)]);
      const byId = new Map(templates.map((t) => [t.id, t]));
      return {
        employee,
        templates,
        structures: history.map((structure) => {
          const template = byId.get(structure.templateId)!;
          const month = structure.effectiveFrom.slice(0, 7);
          const pays = earningsOf(structure, templateOf(template), month);
          return { ...structure, month, templateName: template.name, allowances: termsOf(structure).allowances, pays: pays.ok ? pays.value : null };
        }),
      };
    },

    /**
     * From `effectiveMonth` on, the employee is paid under this template and terms; setting a month again
     * corrects it. Refused when the month is before they joined or the CTC cannot hold the fixed parts.
     */
    async setStructure(caller: Caller, employeeId: string, input: StructureInput): Promise<MonthlyEarnings> {
      const employee = await employeeOf(caller, employeeId);
      const template = await store.findTemplate(db, caller.tenantId, input.templateId);
      if (!template) throw new Invalid('templateId', 'is not a salary template of your company');
      const effectiveFrom = istMonthBounds(input.effectiveMonth).firstDay;
      if (!isIsoDate(effectiveFrom)) throw new Invalid('effectiveMonth', 'must be a month YYYY-MM');
      if (effectiveFrom.slice(0, 7) < employee.dateOfJoining.slice(0, 7))
        throw new Invalid('effectiveMonth', `is before ${employee.fullName} joined (${employee.dateOfJoining})`);
      const check = monthlyEarnings(templateOf(template), input.terms, employerPfOn(input.effectiveMonth, input.pfMode));
      if (!check.ok) throw new Invalid(check.field, check.message);
      await inTransaction(db, async (tx) => {
        const outcome = await store.upsertStructure(tx, caller.tenantId, employee.id, effectiveFrom, {
          templateId: template.id,
          annualCtc: input.terms.annualCtc,
          basicOverride: input.terms.basicOverride,
          hraOverride: input.terms.hraOverride,
          da: input.terms.da,
          allowances: JSON.stringify(input.terms.allowances),
          pfMode: input.pfMode,
          setBy: caller.viewer.userId,
        });
        // Amounts stay out of the audit log: it is read more widely than salaries are.
        await audit.recordFor(
          tx,
          caller.context,
          outcome === 'created' ? 'salary_structure.set' : 'salary_structure.corrected',
          { type: 'employee', id: employee.id },
          { effectiveFrom, template: template.name },
        );
      });
      return check.value;
    },
  };
}

export type SalaryStructures = ReturnType<typeof salaryStructureUseCases>;
