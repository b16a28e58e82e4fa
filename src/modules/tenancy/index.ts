export { companies, PLANS, COMPANY_STATUSES, type Company, type CompanyStatus, type Plan } from './schema.js';
export { findCompany, findCompanyByDomain, insertCompany, setRequireTwoFactor, updateCompany } from './store.js';
