/**
 * The most common passwords (from public breach-frequency lists such as SecLists' top-10k), kept to
 * those a 12-character rule would not already refuse plus their obvious variants. The check is
 * case-insensitive and also refuses these with trailing digits/punctuation stripped.
 */
export const COMMON_PASSWORDS = new Set(
  `
password password1 password12 password123 password1234 password12345 password123456 passw0rd p@ssw0rd p@ssword
qwerty qwerty123 qwertyuiop qwertyuiop123 qwerty123456 1q2w3e4r5t6y 1qaz2wsx3edc qazwsxedcrfv zaq12wsxcde3
123456789012 1234567890ab 111111111111 000000000000 123123123123 abcdefghijkl abc123abc123 iloveyou123 iloveyou1234
welcome welcome1 welcome123 welcome1234 welcome12345 letmein letmein123 letmein1234 admin admin123 admin1234
administrator administrator1 changeme changeme123 changeme1234 trustno1 trustno12345 sunshine sunshine123
princess princess123 football football123 baseball baseball123 cricket cricket123 sachin sachin123 sachintendulkar
india india123 india@123 india12345 bharat bharat123 hindustan hindustan123 jaihind jaihind123 mumbai mumbai123
delhi delhi123 bangalore bangalore123 chennai chennai123 kolkata kolkata123 hyderabad hyderabad123 pune pune123
monkey monkey123 dragon dragon123 master master123 shadow shadow123 superman superman123 batman batman123
michael michael123 jennifer jessica starwars starwars123 computer computer123 internet internet123 whatever whatever123
secret secret123 secret1234 login login123 hello hello123 hello12345 helloworld helloworld123 freedom freedom123
summer summer2024 summer2025 summer2026 winter winter2025 winter2026 spring2026 autumn2026 january2026 december2026
company company123 company1234 payroll payroll123 payroll2026 bizlumo bizlumo123 bizlumo2026 employee employee123
test test123 test1234 testing testing123 testtest testtest123 guest guest123 default default123 root root123 toor
asdfghjkl asdfghjkl123 asdfasdfasdf zxcvbnm zxcvbnm123 zxcvbnmasdfg 1234qwer1234 qwer1234qwer abcd1234abcd
passwordpassword passwordpassword1 mypassword mypassword1 mypassword123 newpassword newpassword1 newpassword123
`
    .split(/\s+/)
    .filter(Boolean),
);
