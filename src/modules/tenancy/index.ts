export { companies, PLANS, type Company, type Plan } from './schema.js';
export { findCompany, findCompanyByDomain, insertCompany, setRequireTwoFactor } from './store.js';
