/** Plausible names from across India for the demo companies (not real people). */
export const FIRST_NAMES_FEMALE = [
  'Aanya', 'Priya', 'Ananya', 'Kavya', 'Diya', 'Ishita', 'Meera', 'Sneha', 'Pooja', 'Lakshmi',
  'Divya', 'Nandini', 'Shruti', 'Fatima', 'Harpreet', 'Anjali', 'Revathi', 'Swati', 'Tanvi', 'Gayatri',
];
export const FIRST_NAMES_MALE = [
  'Aarav', 'Vihaan', 'Arjun', 'Rohan', 'Karthik', 'Rahul', 'Siddharth', 'Aditya', 'Vikram', 'Imran',
  'Manoj', 'Suresh', 'Gurpreet', 'Nikhil', 'Pranav', 'Rajesh', 'Abhishek', 'Harish', 'Sandeep', 'Yusuf',
];
export const SURNAMES = [
  'Sharma', 'Verma', 'Iyer', 'Nair', 'Reddy', 'Patel', 'Shah', 'Gupta', 'Singh', 'Kaur',
  'Menon', 'Rao', 'Banerjee', 'Chatterjee', 'Mukherjee', 'Das', 'Joshi', 'Kulkarni', 'Deshpande', 'Pillai',
  'Khan', 'Qureshi', 'Agarwal', 'Bhat', 'Hegde', 'Naidu', 'Chauhan', 'Mishra', 'Pandey', 'Fernandes',
];
export const DESIGNATIONS: Record<string, string[]> = {
  Engineering: ['Software Engineer', 'Senior Software Engineer', 'QA Engineer', 'Engineering Manager', 'DevOps Engineer'],
  Sales: ['Sales Executive', 'Account Manager', 'Regional Sales Manager', 'Business Development Associate'],
  Operations: ['Operations Executive', 'Plant Supervisor', 'Logistics Coordinator', 'Operations Manager'],
  Finance: ['Accountant', 'Senior Accountant', 'Payroll Specialist', 'Finance Manager'],
};
export const WORK_STATES = ['KA', 'MH', 'TN', 'TG', 'DL', 'WB', 'GJ', 'HR'];
