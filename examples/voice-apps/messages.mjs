// What the example voice apps say: the same menu on every provider, so one
// expected transcript serves the four of them.
export const SALES_NUMBER = '+15550100';

export const MESSAGES = {
  menu: 'Thanks for calling Example Co. Press 1 for sales, or 2 to leave a message.',
  noInput: 'We did not get your choice. Goodbye.',
  invalid: 'Sorry, that is not a choice.',
  connecting: 'Connecting you to sales.',
  salesBusy: 'Sales is busy. Please leave a message after the beep.',
  leaveMessage: 'Please leave a message after the beep.',
  saved: 'Thank you, your message is saved. Goodbye.',
};
